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
import type { EmbeddedEndpoints } from './embedded-control-node.ts';
import type { LabClaim } from './lab-claim.ts';

export interface Role<C> {
  config: C;
  host: Host;
  /** The host's name in the lab file. */
  hostName: string;
  /** The host's address in the lab file (a LocalHost's own address is just 'local'). */
  address: string;
}

/** The embedded control node a lab runs against: one this lab started, or the one `lab up` left running. */
export interface EmbeddedLabInfo {
  endpoints: EmbeddedEndpoints;
  pid: number;
  /** True when this lab started it (and stops it at close). */
  owned: boolean;
  /** Resolves with the exit code if it exits while the lab is open (owned only). */
  exited?: Promise<number | null>;
}

export interface Lab {
  name: string;
  /** Lab file the lab was built from (as shown in messages). */
  file: string;
  config: LabFile;
  /** The embedded lab's control node, when the lab file has a `sim` section. */
  embedded: EmbeddedLabInfo | undefined;
  runId: string;
  /** The lab lock and change record, when opened with `claim` (runs that change the lab). */
  readonly claim: LabClaim | undefined;
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
