/**
 * What a traffic generator can do, after vsperf's ITrafficGenerator: connect,
 * continuous traffic at a rate, a burst, RFC 2544 throughput and
 * back-to-back, and start/wait forms of the long ones.
 */
import type { TrafficSpec } from './traffic.ts';
import type { SearchTrial, TrialListener } from './search/trial.ts';
import type { GoalResult } from './search/multi-goal-search.ts';
import type { VsperfB2b, VsperfThroughput } from './vsperf-results.ts';

export interface LatencyNs {
  min: number;
  avg: number;
  max: number;
}

export interface DirectionResult {
  from: number;
  to: number;
  txFrames: number;
  rxFrames: number;
  lossFrames: number;
  lossPct: number;
  rxFps: number;
  rxMbps: number;
  rxPctLineRate: number;
}

/** One traffic run as the generator measured it. */
export interface TrafficResult {
  frameSize: number;
  linkGbps: number;
  streams: number;
  txFrames: number;
  rxFrames: number;
  lossFrames: number;
  lossPct: number;
  /** Null when the generator did not report its achieved Tx rate. */
  txFps: number | null;
  rxFps: number;
  txMbps: number | null;
  rxMbps: number;
  txPctLineRate: number | null;
  rxPctLineRate: number;
  latencyNs: LatencyNs | null;
  directions: DirectionResult[];
  /** Generator logs of this run (name -> text), for reports. */
  logs: Record<string, string>;
}

export type SearchKind = 'moongen' | 'binary' | 'multi-goal';

export interface ThroughputOptions {
  /** Final (full-length) trial duration, s. RFC 2544 asks for >= 60. */
  durationS: number;
  /** Acceptable frame loss, %. */
  lossPct?: number;
  /** Repeats of the whole search; results are averaged (vsperf `tests`). */
  tests?: number;
  /**
   * moongen: the script's own binary search in one MoonGen run (vsperf's way);
   * binary: the same search driven trial by trial from here;
   * multi-goal: NDR + PDR with short trials first.
   */
  search?: SearchKind;
  /** Binary searches: stop when the step is within this, Mpps. Default 0.1 (the script's). */
  granularityMpps?: number;
  /** Multi-goal: relative width goal. Default 0.005. */
  relativeWidth?: number;
  /** Multi-goal: duration of the first, short trial at the maximum rate, s. Default 1. */
  initialDurationS?: number;
  /** Measure latency in one more trial at the found rate. */
  latency?: boolean;
  onTrial?: TrialListener;
}

export interface ThroughputResult {
  search: SearchKind;
  /** Highest rate per direction that met the loss goal, Mpps (null: none did). */
  throughputMpps: number | null;
  /** The trial at the throughput rate (null when none passed). */
  result: TrafficResult | null;
  trials: SearchTrial[];
  /** Multi-goal only: every goal's bracket. */
  goals: GoalResult[] | null;
  /** vsperf result keys (averaged over `tests`). */
  vsperf: VsperfThroughput;
  runs: number;
}

export interface BackToBackOptions {
  /** Burst length, s (RFC 2544: >= 2). */
  durationS: number;
  lossPct?: number;
  tests?: number;
  onTrial?: TrialListener;
}

export interface BackToBackResult {
  /** Longest burst (frames received) with loss <= lossPct, averaged over tests. */
  b2bFrames: number;
  b2bTxCount: number;
  /** Loss of the full-length burst. */
  b2bLossFrames: number;
  b2bLossPct: number;
  burstDurationS: number;
  trials: SearchTrial[];
  vsperf: VsperfB2b;
  logs: Record<string, string>;
}

export interface ContinuousOptions {
  durationS: number;
  latency?: boolean;
}

export interface BurstOptions {
  frames: number;
}

export interface TrafficGenerator {
  readonly name: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendContTraffic(traffic: TrafficSpec, opts: ContinuousOptions): Promise<TrafficResult>;
  startContTraffic(traffic: TrafficSpec, opts?: { maxDurationS?: number }): Promise<void>;
  stopContTraffic(): Promise<TrafficResult>;
  sendBurstTraffic(traffic: TrafficSpec, opts: BurstOptions): Promise<TrafficResult>;
  rfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): Promise<ThroughputResult>;
  startRfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): void;
  waitRfc2544Throughput(): Promise<ThroughputResult>;
  rfc2544BackToBack(traffic: TrafficSpec, opts: BackToBackOptions): Promise<BackToBackResult>;
  startRfc2544BackToBack(traffic: TrafficSpec, opts: BackToBackOptions): void;
  waitRfc2544BackToBack(): Promise<BackToBackResult>;
}
