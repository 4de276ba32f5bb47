/**
 * A device under test as the scale pipeline sees it: observed from outside (peers up, prefixes, pending
 * updates, as series with the bracket each sample is known within), its process sampled for CPU/RSS,
 * and restarted. `Scope` says which part of the device one iteration loads (Contrail: its route tables
 * and agent names), so parallel iterations each observe their own share.
 *
 * Implementations: ContrailControlNode (lib/dut/contrail-control-node.ts).
 */
import type { Milestone, MilestoneSpec } from '../measure/milestones.ts';
import type { ProcessSampler } from '../measure/process-sampler.ts';
import type { Series } from '../measure/series.ts';

/** The latest values an observation saw. */
export interface DutState {
  peersUp: number;
  prefixes: number;
  pendingUpdates: number;
  /** Monotonic ms of the newest sample. */
  t: number | undefined;
}

export type ObservedKind = 'peers' | 'routes';

/** One iteration's view of the device: sampling series from start() to stop(). */
export interface Observation {
  readonly series: { peersUp: Series; prefixes: Series; pendingUpdates: Series };
  start(): void;
  stop(): Promise<void>;
  /**
   * Sample these kinds at the fastest rate from now until the next call (a phase the pipeline started
   * waits for its milestone); `hot([])` lets sampling back off again.
   */
  hot(kinds: readonly ObservedKind[]): void;
  latest(): DutState;
  /** The milestone over this observation's series, its lower bound widened to what the samples can show. */
  milestone(spec: MilestoneSpec, kind: ObservedKind): Milestone | undefined;
}

export interface Dut<Scope> {
  /** For messages: "control node a2s40". */
  readonly name: string;
  version(): Promise<string>;
  observe(
    scope: Scope,
    o: { targets: { peers: number; prefixes: number }; makeSeries: (name: string, unit: string) => Series },
  ): Observation;
  /** Streams CPU % and RSS of the device's process. */
  sampleProcess(o: {
    intervalMs: number;
    makeSeries: (name: string, unit: string) => Series;
  }): Promise<ProcessSampler>;
  restart(o?: { reboot?: boolean }): Promise<{ downMs: number }>;
  /** The device's state over `scope`, for the report at the end of a phase. */
  snapshot(scope: Scope): Promise<unknown>;
}
