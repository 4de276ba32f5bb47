/**
 * A device under test as the scale pipeline sees it: observed from outside (peers up, prefixes, pending
 * updates, as series with the bracket each sample is known within), its process sampled for CPU/RSS,
 * restarted, and read as a whole once before the first iteration and once after the last (stats). `Scope` says which part of the device one iteration loads (Contrail: its route tables
 * and agent names), so parallel iterations each observe their own share.
 *
 * Implementations: ContrailControlNode (lib/dut/contrail-control-node.ts).
 */
import type { Milestone, MilestoneSpec } from '../measure/milestones.ts';
import type { ProcessAndHostReading } from '../measure/process-reading.ts';
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

/**
 * The whole device at one moment, for the before/after record of a scenario (the legacy
 * report_stats_before_and_after_tests). Whatever could not be read is missing and named in `errors`.
 */
export interface DutStats {
  /** Epoch ms when the reading began. */
  wall: number;
  /** The device's version string (contrail-version). */
  version?: string;
  /** Its process and host: CPU over a short window (% of one core), memory. */
  resources?: ProcessAndHostReading;
  /** Sessions up (XMPP agents on a control node). */
  peersUp?: number;
  /** Over all route tables. */
  routes?: { tables: number; prefixes: number; paths: number; pendingUpdates: number };
  /** One line per part that could not be read, naming it and why. */
  errors: string[];
}

export type ObservedKind = 'peers' | 'routes';

/** The requests an observation made to the device: a failed one is a sample missing from its series. */
export interface ObservationRequests {
  /** What was asked, for notes: "introspect". */
  via: string;
  made: number;
  failed: number;
  /** Why the latest failed request failed. */
  lastError: string | undefined;
}

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
  /** Requests so far; a run whose device answered garbage must say so. */
  requests(): ObservationRequests;
  /** What the observation found wrong with its own figures (two of its sources disagreeing). */
  notes?(): string[];
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
  /** The whole device now; never throws (what failed is in `errors`). */
  stats(): Promise<DutStats>;
}
