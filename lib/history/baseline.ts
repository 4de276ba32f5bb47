/**
 * The baseline a run is compared with, and how much the metric moves on its own (its noise band).
 *
 * Baseline of a key (history-key.ts): the median of the last N comparable runs before the run under test
 * (default N = 7), or the value of one pinned run. At least 3 comparable earlier runs are needed for a
 * median baseline; a pinned run needs only to have measured the key.
 *
 * Noise band: k(n) x 1.4826 x MAD of the same window of n earlier runs (MAD: median absolute deviation
 * from their median; 1.4826 x MAD estimates the standard deviation of normal noise and ignores an outlier
 * night, where a standard deviation would not), plus the baseline's stated resolution (median of the
 * window's, or the pinned run's) plus the resolution of the value under test. k(n) is the prediction
 * factor of prediction-factor.ts: three standard deviations (about 3 in 1000 normal nights fall outside)
 * widened for a deviation estimated from few runs (22 at 3 runs, 5.2 at 7); adding both
 * resolutions makes the band at least the combined resolution, so a change that the measurement
 * cannot resolve is never a verdict. A pinned baseline takes its noise from the window all the same
 * (spread 0 when the window holds fewer than 2 runs).
 *
 * API:
 * - `baseline(history, key, {before?, window?, pinned?})` -> Baseline {found: true, kind 'median' |
 *   'pinned', value, unit, runIds, noiseRunIds, spread, resolution} or {found: false, reason}.
 *   `before`: the run under test (omit it for a run not yet in the history: all of the key's runs count).
 * - `noiseBand(baseline, resolution?)`: spread + baseline resolution + the resolution of the value compared.
 * - `DEFAULT_WINDOW` (7), `MIN_BASELINE_RUNS` (3).
 */
import type { BaseUnit } from '../thresholds/quantity.ts';
import { sameKey, type HistoryKey } from './history-key.ts';
import type { HistoryRecord, HistoryStore } from './history-store.ts';
import { predictionFactor } from './prediction-factor.ts';
import { median, robustSigma } from './robust-stats.ts';

export const DEFAULT_WINDOW = 7;
export const MIN_BASELINE_RUNS = 3;

export interface Baseline {
  found: true;
  key: HistoryKey;
  kind: 'median' | 'pinned';
  value: number;
  unit: BaseUnit;
  /** The runs the value comes from: the window (median) or the pinned run. */
  runIds: string[];
  /** The runs the spread comes from: the window of earlier runs (for a pinned baseline too). */
  noiseRunIds: string[];
  /** predictionFactor(n) x 1.4826 x MAD of the window's n values, in the metric's unit. */
  spread: number;
  /** The baseline's stated resolution (0 when none was stated). */
  resolution: number;
}

export interface MissingBaseline {
  found: false;
  key: HistoryKey;
  /** Why, e.g. 'only 2 comparable earlier run(s), 3 needed'. */
  reason: string;
}

export type BaselineResult = Baseline | MissingBaseline;

export interface BaselineOptions {
  /** The run under test: only runs before it count. */
  before?: string;
  /** How many of the latest earlier runs the median and the noise are taken over. */
  window?: number;
  /** A run id whose value is the baseline instead of a median. */
  pinned?: string;
}

type HistoryReader = Pick<HistoryStore, 'comparable' | 'recordsOf'>;

function spreadOf(values: readonly number[]): number {
  return values.length < 2 ? 0 : predictionFactor(values.length) * robustSigma(values);
}

function medianResolution(records: readonly HistoryRecord[]): number {
  const stated = records.map((r) => r.resolution).filter((r): r is number => r !== undefined);
  return stated.length ? median(stated) : 0;
}

export function baseline(
  history: HistoryReader,
  key: HistoryKey,
  opts: BaselineOptions = {},
): BaselineResult {
  const size = opts.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`baseline window: expected a whole number of runs >= 1, found ${size}`);
  }
  const earlier = history.comparable(key, opts.before);
  const window = earlier.slice(-size);
  const values = window.map((r) => r.value);
  const noise = { noiseRunIds: window.map((r) => r.runId), spread: spreadOf(values) };

  if (opts.pinned !== undefined) {
    const pinned = history.recordsOf(opts.pinned).find((r) => sameKey(r.key, key));
    if (opts.pinned === opts.before) {
      return { found: false, key, reason: `pinned run ${opts.pinned} is the run under test` };
    }
    if (!pinned) {
      return { found: false, key, reason: `pinned run ${opts.pinned} has no ${key.metric} of this shape` };
    }
    return {
      found: true,
      key,
      kind: 'pinned',
      value: pinned.value,
      unit: pinned.unit,
      runIds: [pinned.runId],
      ...noise,
      resolution: pinned.resolution ?? 0,
    };
  }

  if (earlier.length < MIN_BASELINE_RUNS) {
    return {
      found: false,
      key,
      reason: `only ${earlier.length} comparable earlier run(s), ${MIN_BASELINE_RUNS} needed`,
    };
  }
  return {
    found: true,
    key,
    kind: 'median',
    value: median(values),
    unit: window[0]!.unit,
    runIds: window.map((r) => r.runId),
    ...noise,
    resolution: medianResolution(window),
  };
}

export function noiseBand(b: Baseline, resolution = 0): number {
  return b.spread + b.resolution + resolution;
}
