/** A lab as scenarios see it: hosts by name, roles bound to their hosts, and the run's lifecycle. */
import type { Host } from '../hosts/host.ts';
import type { ReapResult } from '../hosts/reaper.ts';
import type {
  ConfigApiConfig,
  ControlNodeConfig,
  LabFile,
  RouterConfig,
  TestServerConfig,
  TrafficGeneratorConfig,
} from '../config/lab-schema.ts';

export interface Role<C> {
  config: C;
  host: Host;
}

export interface Lab {
  name: string;
  /** Lab file the lab was built from (as shown in messages). */
  file: string;
  config: LabFile;
  /** True for the embedded lab (LAB=sim). */
  isSim: boolean;
  runId: string;
  hosts: Record<string, Host>;
  controlNodes: Role<ControlNodeConfig>[];
  configApi: Role<ConfigApiConfig> | undefined;
  testServers: Role<TestServerConfig>[];
  routers: Role<RouterConfig>[];
  trafficGenerators: Role<TrafficGeneratorConfig>[];
  /** Role names per host name, e.g. { a2s40: ['configApi', 'controlNodes[0]'] }. */
  rolesOf(hostName: string): string[];
  /** Kills leftovers of earlier runs on every host (processes of this run are spared). */
  reap(): Promise<ReapResult[]>;
  /** Kills every process of this run on every host, then closes connections. Idempotent. */
  close(): Promise<void>;
}
