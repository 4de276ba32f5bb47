/**
 * The figures of one scale iteration, computed once, from its marks (instants the pipeline caused or the
 * load generator reported), its milestones (instants derived from the device's series, each with the
 * bracket it is known within), the device's CPU/RSS series and the test servers' host CPU and memory. Names, units and directions are the
 * metric catalogue's (lib/thresholds/metric-catalogue.ts).
 *
 *   iterationMetrics(timeline) -> Measurements   (base units: s, /s, %, B)
 *
 * A duration ends in the middle of its milestone's bracket and its resolution is half the bracket (the
 * true end lies within ± that), never finer than the clock's; a bracket never reaches back before the
 * mark the duration is timed from. Averages divide wall-clock spans.
 */
import { durationSince, type Milestone } from '../measure/milestones.ts';
import type { SeriesPoint } from '../measure/series.ts';
import type { MeasuredValue, Measurements } from '../thresholds/metric-catalogue.ts';
import type { ExpectedLoad } from '../load/load.ts';

/** A span known within a bracket (ms), from a monotonic mark. */
export interface TimedSpan {
  from: number;
  ms: number;
  resolutionMs: number;
}

/** One churn round: a share of the prefixes withdrawn, then announced again. */
export interface ChurnTimes {
  /** Generators wrote the withdrawals -> the device holds that many fewer prefixes. */
  withdraw?: TimedSpan;
  /** Generators wrote the announcements -> the device holds every prefix again. */
  announce?: TimedSpan;
}

export interface FlapTimes {
  /** Generators re-feeding -> all prefixes back with nothing pending. */
  reconvergence?: TimedSpan;
  /** Generators reconnecting -> all peers up again. */
  reconnect?: TimedSpan;
}

export interface IterationTimeline {
  /**
   * Monotonic ms: load started, routes triggered, hold ended (withdrawal asked); and, when the generator
   * reports them, when it began bringing up peers and feeding routes. bgp_stress_test only checks its
   * trigger file every 3 s, so timing adds from the trigger would mostly time that wait.
   */
  marks: {
    start: number;
    bringUpStart?: number;
    addTrigger?: number;
    feedStart?: number;
    deleteTrigger?: number;
  };
  milestones: {
    firstPeerUp?: Milestone;
    allPeersUp?: Milestone;
    routesComplete?: Milestone;
    allWithdrawn?: Milestone;
    /** The router holds its count from before the trigger plus the prefixes the load added (router check). */
    routerRoutes?: Milestone;
  };
  /** Every flap in order; the worst of each counts. */
  flaps?: FlapTimes[];
  /** Every churn round in order; the worst of each counts. */
  churns?: ChurnTimes[];
  expected: ExpectedLoad;
  cpu?: readonly SeriesPoint[];
  rss?: readonly SeriesPoint[];
  /** Each test server host's total CPU (% of one core) and memory used (B) over the iteration. */
  testServers?: ReadonlyArray<{ name: string; cpu: readonly SeriesPoint[]; memUsed: readonly SeriesPoint[] }>;
  /** Report CPU only at the peak of the run (legacy report_cpu_only_at_peak_bgp_scale). */
  cpuOnlyAtPeak?: boolean;
  /** Resolution of the clock itself, ms. */
  clockResolutionMs: number;
}

/**
 * A span from a mark to a milestone. The milestone happened inside its bracket (never before the mark):
 * the span runs to the bracket's middle and is known to ± half its width.
 */
export function spanTo(from: number, to: Milestone, clockResolutionMs: number): TimedSpan {
  const d = durationSince(from, { ...to, lo: to.lo ?? from });
  return { from, ms: d.ms, resolutionMs: Math.max(d.resolutionMs ?? d.ms, clockResolutionMs) };
}

export function iterationMetrics(tl: IterationTimeline): Measurements {
  const out: Measurements = {};
  const seconds = (s: TimedSpan | undefined): MeasuredValue | undefined =>
    s && { value: s.ms / 1000, unit: 's', resolution: s.resolutionMs / 1000 };
  const span = (from: number | undefined, to: Milestone | undefined) =>
    from === undefined || to === undefined ? undefined : seconds(spanTo(from, to, tl.clockResolutionMs));
  // A rate over a span is known as well as the span: count/(d - r) .. count/(d + r), ± the wider side.
  const rate = (count: number, d: MeasuredValue | undefined): MeasuredValue | undefined => {
    if (!d || d.value <= 0) return undefined;
    const r = d.resolution ?? 0;
    const value = count / d.value;
    return { value, unit: '/s', resolution: r < d.value ? count / (d.value - r) - value : value };
  };
  const avg = (d: MeasuredValue | undefined, count: number): MeasuredValue | undefined =>
    d && count > 0
      ? { value: d.value / count, unit: 's', resolution: (d.resolution ?? 0) / count }
      : undefined;

  const { peers, prefixes, updates } = tl.expected;
  const bringUp = tl.marks.bringUpStart ?? tl.marks.start;
  const peersUp = span(bringUp, tl.milestones.allPeersUp);
  const addFrom = tl.marks.feedStart ?? tl.marks.addTrigger;
  const add = span(addFrom, tl.milestones.routesComplete);
  Object.assign(out, {
    peers_first_up_time: span(bringUp, tl.milestones.firstPeerUp),
    peers_up_time: peersUp,
    peers_per_second: rate(peers, peersUp),
    peer_avg_time: avg(peersUp, peers),
    prefix_add_time: add,
    prefixes_per_second: rate(prefixes, add),
    updates_per_second: rate(updates, add),
    prefix_avg_time: avg(add, prefixes),
    update_avg_time: avg(add, updates),
    router_routes_time: span(addFrom, tl.milestones.routerRoutes),
    prefix_delete_time: span(tl.marks.deleteTrigger, tl.milestones.allWithdrawn),
    reconvergence_time: seconds(worst(tl.flaps, 'reconvergence')),
    reconnect_time: seconds(worst(tl.flaps, 'reconnect')),
    churn_withdraw_time: seconds(worst(tl.churns, 'withdraw')),
    churn_announce_time: seconds(worst(tl.churns, 'announce')),
  } satisfies Measurements);

  if (tl.cpu && tl.cpu.length > 0) {
    const peakAt = tl.milestones.routesComplete?.t;
    const atPeak = peakAt === undefined ? undefined : nearest(tl.cpu, peakAt);
    if (atPeak) out.cpu_at_peak_load = { value: atPeak.v, unit: '%' };
    if (!tl.cpuOnlyAtPeak) {
      out.cpu_peak = peakOf(tl.cpu, '%');
      out.cpu_avg = { value: tl.cpu.reduce((s, p) => s + p.v, 0) / tl.cpu.length, unit: '%' };
      // CPU and memory are read together, one line per interval: the RSS reading nearest the CPU peak.
      const rssAtPeak = tl.rss && nearest(tl.rss, tl.cpu[peakIndex(tl.cpu)]!.t);
      if (rssAtPeak) out.rss_at_cpu_peak = { value: rssAtPeak.v, unit: 'B' };
    }
  }
  if (tl.rss && tl.rss.length > 0) out.rss_peak = peakOf(tl.rss, 'B');
  out.test_server_cpu_peak = highestPeak(
    (tl.testServers ?? []).map((s) => s.cpu),
    '%',
  );
  out.test_server_mem_peak = highestPeak(
    (tl.testServers ?? []).map((s) => s.memUsed),
    'B',
  );
  // Absent means not measured: drop what could not be computed.
  for (const k of Object.keys(out) as Array<keyof Measurements>) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The highest sample. The true peak lies between samples somewhere near it: it is known to about the
 * larger step to a neighbouring sample.
 */
function peakOf(points: readonly SeriesPoint[], unit: '%' | 'B'): MeasuredValue {
  const i = peakIndex(points);
  const v = points[i]!.v;
  const step = (j: number) => (points[j] === undefined ? 0 : v - points[j]!.v);
  return { value: v, unit, resolution: Math.max(step(i - 1), step(i + 1)) };
}

function peakIndex(points: readonly SeriesPoint[]): number {
  let i = 0;
  for (let j = 1; j < points.length; j++) if (points[j]!.v > points[i]!.v) i = j;
  return i;
}

/** The peak of the series whose peak is highest (e.g. the busiest test server), undefined with no points. */
function highestPeak(all: ReadonlyArray<readonly SeriesPoint[]>, unit: '%' | 'B'): MeasuredValue | undefined {
  return all
    .filter((points) => points.length > 0)
    .map((points) => peakOf(points, unit))
    .reduce<MeasuredValue | undefined>((a, b) => (!a || b.value > a.value ? b : a), undefined);
}

/** The longest span of `key` over a run's flaps or churn rounds. */
function worst<K extends string>(
  rounds: ReadonlyArray<Partial<Record<K, TimedSpan>>> | undefined,
  key: K,
): TimedSpan | undefined {
  return (rounds ?? [])
    .map((f) => f[key])
    .reduce<TimedSpan | undefined>((a, b) => (!a || (b && b.ms > a.ms) ? b : a), undefined);
}

function nearest(points: readonly SeriesPoint[], t: number): SeriesPoint | undefined {
  let best: SeriesPoint | undefined;
  for (const p of points) if (!best || Math.abs(p.t - t) < Math.abs(best.t - t)) best = p;
  return best;
}
