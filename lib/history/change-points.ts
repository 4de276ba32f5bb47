/**
 * Where a metric's level stepped over its history: a minimum-description-length (MDL) segmentation into
 * constant-mean segments, in the spirit of FD.io CSIT's jumpavg, minimised exactly by dynamic programming
 * (O(n²) in the number of runs).
 *
 * 1. Noise. σ̂ = 1.4826 x median|x(i) - x(i-1)| / √2: the noise of one run, from successive differences
 *    (a level step is one large difference, so it barely moves σ̂), and at least u, the precision values
 *    are told apart to: the median of the stated resolutions or 0.1 % of the median |x|, the larger.
 * 2. Outliers out. A run is an outlier when its value differs by more than 4σ̂ from every other run within
 *    2 positions of it (it is isolated). So a single bad night is no change point, and neither is the
 *    newest run alone: a new level needs two runs to be told from an outlier. Outliers are listed, not
 *    segmented.
 * 3. Segmentation. The rest, x(1..n) in run order, is split into segments of at least 2 runs minimising
 *    the total bits, summed over segments of k values with mean μ:
 *        log2(n - 1)                       where the segment starts (one of n - 1 places)
 *      + log2(1 + √k R / σ̂)               its mean: uniform over the series' range R, to the precision
 *                                          σ̂/√k that its k values give it
 *      + Σ (x - μ)² / (2 σ̂² ln 2)         its values given the mean, coded as normal(μ, σ̂) (the part of
 *                                          the code length that depends on the segmentation)
 *    Unlike jumpavg, which codes each group's own standard deviation, one noise level is shared by the
 *    whole series: a few noisy runs are then never cheaper as a level of their own. A split pays about
 *    log2(n) + log2(R/σ̂) bits and wins when the runs sit that much tighter around two means than one
 *    (a step of 3σ̂ is found after about 5 runs at the new level; a step of 15σ̂ after 2).
 * 4. Steps. Each boundary between segments is a step: the first run of the new segment, the means of
 *    the segments before and after, the change in %, and the DUT versions on either side.
 *
 * Slow drift has no step to find: it comes out as a staircase of steps in one direction whose sum is
 * the drift, each a few σ̂ (a step appears once enough runs sit at the new level to pay for it), while
 * the verdict against a median baseline stays normal, since the window drifts along. A pinned baseline
 * (baseline.ts) is the way to catch drift in a verdict.
 *
 * API:
 * - `changePoints(series)` -> ChangePoints {key, steps: LevelStep[], segments: Segment[], outliers:
 *   run ids, precision}; `series` is HistoryStore.series(key) (one key, run order).
 * - `stepLine(step)` -> 'prefix_add_time stepped +18 % at run <id> (dut_version X → Y)'; the
 *   parenthesis is left out when the DUT version did not change.
 */
import type { BaseUnit } from '../thresholds/quantity.ts';
import type { HistoryKey } from './history-key.ts';
import { formatPercent, formatValue } from './history-format.ts';
import type { HistoryRecord } from './history-store.ts';
import { MAD_TO_SIGMA, median } from './robust-stats.ts';

export interface Segment {
  /** First and last run of the segment (outliers left out). */
  firstRunId: string;
  lastRunId: string;
  runs: number;
  mean: number;
}

export interface LevelStep {
  metric: string;
  unit: BaseUnit;
  /** The first run at the new level. */
  runId: string;
  /** The last run at the old level. */
  previousRunId: string;
  oldLevel: number;
  newLevel: number;
  /** (newLevel - oldLevel) as % of oldLevel; absent when oldLevel is 0. */
  changePercent?: number;
  dutVersionBefore?: string;
  dutVersionAfter?: string;
}

export interface ChangePoints {
  key?: HistoryKey;
  steps: LevelStep[];
  segments: Segment[];
  /** Runs left out as outliers. */
  outliers: string[];
  /** σ̂: the noise of one run the segmentation assumed, in the metric's unit. */
  noise: number;
}

const OUTLIER_SIGMAS = 4;
/** A level is at least two runs: one run alone cannot be told from an outlier. */
const MIN_SEGMENT = 2;
const NEIGHBOURS = 2;
const RELATIVE_PRECISION = 1e-3;

function precisionOf(series: readonly HistoryRecord[]): number {
  const stated = series.map((r) => r.resolution).filter((r): r is number => r !== undefined && r > 0);
  const relative = RELATIVE_PRECISION * median(series.map((r) => Math.abs(r.value)));
  const u = Math.max(stated.length ? median(stated) : 0, relative);
  // All values zero and nothing stated: any positive precision will do, there is nothing to split.
  return u > 0 ? u : 1;
}

/** σ̂ (step 1 of the header). */
function noiseSigma(values: readonly number[], u: number): number {
  const diffs = values.slice(1).map((v, i) => Math.abs(v - values[i]!));
  return Math.max(u, diffs.length ? (MAD_TO_SIGMA * median(diffs)) / Math.SQRT2 : 0);
}

/** Indexes of isolated values (step 2 of the header). */
function outlierIndexes(values: readonly number[], sigma: number): Set<number> {
  const out = new Set<number>();
  values.forEach((v, i) => {
    const near = values
      .slice(Math.max(0, i - NEIGHBOURS), i + NEIGHBOURS + 1)
      .filter((_, j) => j !== Math.min(i, NEIGHBOURS));
    if (near.length > 0 && near.every((w) => Math.abs(v - w) > OUTLIER_SIGMAS * sigma)) out.add(i);
  });
  return out;
}

/** Bits of one segment of k values with the given sums (step 3 of the header). */
function segmentBits(
  k: number,
  sum: number,
  sumSq: number,
  sigma: number,
  range: number,
  where: number,
): number {
  const squares = Math.max(0, sumSq - (sum * sum) / k);
  return where + Math.log2(1 + (Math.sqrt(k) * range) / sigma) + squares / (2 * sigma * sigma * Math.LN2);
}

/** Segment boundaries (start indexes, the first is 0) of the shortest description of `values`. */
function segmentStarts(values: readonly number[], sigma: number): number[] {
  const n = values.length;
  // Sums of values less the first, so the sums of squares keep their precision for large values.
  const origin = values[0] ?? 0;
  const sum = [0];
  const sumSq = [0];
  for (const v of values) {
    sum.push(sum.at(-1)! + (v - origin));
    sumSq.push(sumSq.at(-1)! + (v - origin) ** 2);
  }
  const range = Math.max(...values) - Math.min(...values);
  const where = Math.log2(Math.max(1, n - 1));
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  const shortest = Math.min(MIN_SEGMENT, n);
  for (let end = shortest; end <= n; end++) {
    for (let start = 0; start <= end - shortest; start++) {
      const bits =
        best[start]! +
        segmentBits(end - start, sum[end]! - sum[start]!, sumSq[end]! - sumSq[start]!, sigma, range, where);
      if (bits < best[end]!) {
        best[end] = bits;
        from[end] = start;
      }
    }
  }
  const starts: number[] = [];
  for (let end = n; end > 0; end = from[end]!) starts.unshift(from[end]!);
  return starts;
}

export function changePoints(series: readonly HistoryRecord[]): ChangePoints {
  const key = series[0]?.key;
  const values = series.map((r) => r.value);
  const sigma = noiseSigma(values, precisionOf(series));
  const outliers = outlierIndexes(values, sigma);
  const kept = series.filter((_, i) => !outliers.has(i));
  const result: ChangePoints = {
    ...(key ? { key } : {}),
    steps: [],
    segments: [],
    outliers: series.filter((_, i) => outliers.has(i)).map((r) => r.runId),
    noise: sigma,
  };
  if (kept.length === 0) return result;
  const starts = segmentStarts(
    kept.map((r) => r.value),
    sigma,
  );
  result.segments = starts.map((start, i) => {
    const members = kept.slice(start, starts[i + 1] ?? kept.length);
    return {
      firstRunId: members[0]!.runId,
      lastRunId: members.at(-1)!.runId,
      runs: members.length,
      mean: members.reduce((a, r) => a + r.value, 0) / members.length,
    };
  });
  result.steps = result.segments.slice(1).map((seg, i) => {
    const prev = result.segments[i]!;
    const before = kept[starts[i + 1]! - 1]!;
    const after = kept[starts[i + 1]!]!;
    const changePercent = prev.mean === 0 ? undefined : ((seg.mean - prev.mean) / Math.abs(prev.mean)) * 100;
    return {
      metric: after.key.metric,
      unit: after.unit,
      runId: seg.firstRunId,
      previousRunId: prev.lastRunId,
      oldLevel: prev.mean,
      newLevel: seg.mean,
      ...(changePercent !== undefined ? { changePercent } : {}),
      ...(before.dutVersion !== undefined ? { dutVersionBefore: before.dutVersion } : {}),
      ...(after.dutVersion !== undefined ? { dutVersionAfter: after.dutVersion } : {}),
    };
  });
  return result;
}

export function stepLine(step: LevelStep): string {
  const size =
    step.changePercent !== undefined
      ? formatPercent(step.changePercent, { signed: true })
      : `from ${formatValue(step.oldLevel, step.unit)} to ${formatValue(step.newLevel, step.unit)}`;
  const versions =
    step.dutVersionBefore === step.dutVersionAfter
      ? ''
      : ` (dut_version ${step.dutVersionBefore ?? 'unknown'} → ${step.dutVersionAfter ?? 'unknown'})`;
  return `${step.metric} stepped ${size} at run ${step.runId}${versions}`;
}
