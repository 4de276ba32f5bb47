/**
 * Milestones derived from series, written as data (FRR json_cmp style): "the first sample at which
 * peers_up >= 10 and pending_updates == 0". Each carries the bracket in which it really happened: after
 * the last sample that did not meet it (or the `after` mark) and at or before the first that did.
 *
 * API:
 * - `MilestoneSpec` {name, when: {seriesName: Condition}, after?: monotonic ms}; Condition is a number
 *   (equal) or {'>=': n} / {'>': n} / {'<=': n} / {'<': n} / {'==': n}; all conditions must hold at once
 *   (each series contributes its last value at or before the sample time).
 * - `deriveMilestone(spec, series)` -> Milestone {name, t, wall, lo, uncertaintyMs} | undefined (not reached);
 *   `series` is SeriesData[] or {name: SeriesData}.
 * - Standard specs: `firstPeerUp()`, `allPeersUp(n)`, `routesComplete(prefixes, afterMs)`,
 *   `allWithdrawn(afterMs)` over the series names in `SERIES` (peers_up, prefixes, pending_updates).
 * - `durationSince(mark, milestone)` -> {ms, resolutionMs}: the time from a mark to the milestone: to the
 *   middle of its bracket (never reaching back before the mark), ± half the bracket.
 * - `sentBefore(requestSeries, t)`: when the request whose sample is at t was sent (its latency is
 *   recorded at the sample's time); `widenToRequest(m, requestSeries)` moves a milestone's lower bound
 *   there: the sample that did not meet it shows the state at some instant after its request was sent.
 */
import type { SeriesData } from './series.ts';

/** Series names the introspect poller writes and the standard milestones read. */
export const SERIES = {
  peersUp: 'peers_up',
  prefixes: 'prefixes',
  paths: 'paths',
  pendingUpdates: 'pending_updates',
} as const;

export type Condition =
  number | { '>=': number } | { '>': number } | { '<=': number } | { '<': number } | { '==': number };

export interface MilestoneSpec {
  name: string;
  when: Record<string, Condition>;
  /** Only samples taken after this monotonic instant count (e.g. the route-add trigger). */
  after?: number;
}

export interface Milestone {
  name: string;
  /** Monotonic ms of the first sample meeting the condition (upper bound of the true time). */
  t: number;
  wall: number;
  /** Lower bound: the previous sample not meeting it, or the `after` mark; undefined if neither exists. */
  lo: number | undefined;
  /** t - lo: how precisely the milestone is known. */
  uncertaintyMs: number | undefined;
}

export function holds(c: Condition, v: number): boolean {
  if (typeof c === 'number') return v === c;
  if ('>=' in c) return v >= c['>='];
  if ('>' in c) return v > c['>'];
  if ('<=' in c) return v <= c['<='];
  if ('<' in c) return v < c['<'];
  return v === c['=='];
}

export function deriveMilestone(
  spec: MilestoneSpec,
  series: readonly SeriesData[] | Record<string, SeriesData>,
): Milestone | undefined {
  const byName = Array.isArray(series)
    ? new Map((series as readonly SeriesData[]).map((s) => [s.name, s]))
    : new Map(Object.entries(series as Record<string, SeriesData>));
  const names = Object.keys(spec.when);
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) {
    throw new Error(
      `milestone ${spec.name}: no series named ${missing.join(', ')} (have ${[...byName.keys()].join(', ')})`,
    );
  }
  // Merge all sample instants; at each, every series has its last value so far.
  const events = names
    .flatMap((n) => byName.get(n)!.points.map((p) => ({ n, p })))
    .sort((a, b) => a.p.t - b.p.t);
  const current = new Map<string, number>();
  let lastNotMet: number | undefined;
  for (let i = 0; i < events.length; i++) {
    const { n, p } = events[i]!;
    current.set(n, p.v);
    // Samples of one poll share a timestamp: judge once all of them are in.
    if (events[i + 1]?.p.t === p.t) continue;
    if (spec.after !== undefined && p.t < spec.after) continue;
    const met = names.every((name) => current.has(name) && holds(spec.when[name]!, current.get(name)!));
    if (!met) {
      lastNotMet = p.t;
      continue;
    }
    const lo = lastNotMet ?? spec.after;
    return {
      name: spec.name,
      t: p.t,
      wall: p.wall,
      lo,
      uncertaintyMs: lo === undefined ? undefined : p.t - lo,
    };
  }
  return undefined;
}

export function firstPeerUp(): MilestoneSpec {
  return { name: 'first_peer_up', when: { [SERIES.peersUp]: { '>=': 1 } } };
}

export function allPeersUp(peers: number): MilestoneSpec {
  return { name: 'all_peers_up', when: { [SERIES.peersUp]: { '>=': peers } } };
}

export function routesComplete(prefixes: number, after?: number): MilestoneSpec {
  return {
    name: 'routes_complete',
    when: { [SERIES.prefixes]: { '>=': prefixes }, [SERIES.pendingUpdates]: 0 },
    ...(after !== undefined ? { after } : {}),
  };
}

/** The device holds no more than `prefixes` (a churn's withdrawals have taken effect). */
export function prefixesAtMost(prefixes: number, after?: number): MilestoneSpec {
  return {
    name: 'prefixes_at_most',
    when: { [SERIES.prefixes]: { '<=': prefixes } },
    ...(after !== undefined ? { after } : {}),
  };
}

export function allWithdrawn(after?: number): MilestoneSpec {
  return { name: 'all_withdrawn', when: { [SERIES.prefixes]: 0 }, ...(after !== undefined ? { after } : {}) };
}

export function durationSince(mark: number, m: Milestone): { ms: number; resolutionMs: number | undefined } {
  if (m.lo === undefined) return { ms: m.t - mark, resolutionMs: undefined };
  const lo = Math.max(m.lo, mark);
  const half = (m.t - lo) / 2;
  return { ms: lo + half - mark, resolutionMs: half };
}

export function sentBefore(requestMs: SeriesData | undefined, t: number): number {
  const points = requestMs?.points ?? [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (p.t === t) return t - p.v;
    if (p.t < t) break;
  }
  return t;
}

export function widenToRequest(
  m: Milestone | undefined,
  requestMs: SeriesData | undefined,
): Milestone | undefined {
  if (!m || m.lo === undefined) return m;
  const lo = sentBefore(requestMs, m.lo);
  return { ...m, lo, uncertaintyMs: m.t - lo };
}
