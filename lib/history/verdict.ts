/**
 * The verdict on one metric of one run against its baseline (baseline.ts).
 *
 * A change is a regression only when it is outside the noise band AND worse; a progression when outside
 * and better; normal when inside. Which way is worse comes from the metric catalogue: for a time
 * (lower-is-better) up is worse, for a rate (higher-is-better) down is worse. Without a baseline (too
 * few comparable earlier runs, or a pinned run that lacks the metric) the verdict is 'no baseline yet'.
 *
 * API:
 * - `judge(current, baseline)` -> MetricVerdict {key, runId, value, unit, resolution?, baseline,
 *   change?, changePercent?, noise?, noisePercent?, verdict}; `current` is the run's HistoryRecord.
 * - `verdictLine(v)` -> 'prefix_add_time: 9.8 s (±0.05 s) is 21 % above baseline 8.1 s
 *   (median of 7 runs, noise ±3 %)'; 'prefix_add_time: 9.8 s, no baseline yet (only 2 ...)'.
 * - `baselineSource(b)` -> 'median of 7 runs' | 'run <id>'.
 */
import { isMetricName, metricInfo } from '../thresholds/metric-catalogue.ts';
import type { BaseUnit } from '../thresholds/quantity.ts';
import { noiseBand, type Baseline, type BaselineResult } from './baseline.ts';
import type { HistoryKey } from './history-key.ts';
import { formatPercent, formatValue } from './history-format.ts';
import type { HistoryRecord } from './history-store.ts';

export type Verdict = 'regression' | 'progression' | 'normal' | 'no baseline yet';

export interface MetricVerdict {
  key: HistoryKey;
  runId: string;
  value: number;
  unit: BaseUnit;
  resolution?: number;
  baseline: BaselineResult;
  /** value - baseline, in the metric's unit. */
  change?: number;
  /** change as % of the baseline; absent when the baseline is 0. */
  changePercent?: number;
  /** Half-width of the noise band, in the metric's unit. */
  noise?: number;
  /** noise as % of the baseline; absent when the baseline is 0. */
  noisePercent?: number;
  verdict: Verdict;
}

function percentOf(part: number, whole: number): number | undefined {
  return whole === 0 ? undefined : (part / Math.abs(whole)) * 100;
}

export function judge(current: HistoryRecord, b: BaselineResult): MetricVerdict {
  const { key, runId, value, unit, resolution } = current;
  const head = { key, runId, value, unit, ...(resolution !== undefined ? { resolution } : {}), baseline: b };
  if (!b.found) return { ...head, verdict: 'no baseline yet' };
  if (!isMetricName(key.metric)) {
    throw new Error(`${key.metric}: not in the metric catalogue, so which way is worse is unknown`);
  }
  const change = value - b.value;
  const noise = noiseBand(b, resolution);
  const higherIsWorse = metricInfo(key.metric).direction === 'lower-is-better';
  const worse = higherIsWorse ? change > 0 : change < 0;
  const verdict = Math.abs(change) <= noise ? 'normal' : worse ? 'regression' : 'progression';
  const changePercent = percentOf(change, b.value);
  const noisePercent = percentOf(noise, b.value);
  return {
    ...head,
    change,
    ...(changePercent !== undefined ? { changePercent } : {}),
    noise,
    ...(noisePercent !== undefined ? { noisePercent } : {}),
    verdict,
  };
}

export function baselineSource(b: Baseline): string {
  return b.kind === 'pinned' ? `run ${b.runIds[0]}` : `median of ${b.runIds.length} runs`;
}

export function verdictLine(v: MetricVerdict): string {
  const value = formatValue(v.value, v.unit, v.resolution);
  const b = v.baseline;
  if (!b.found) return `${v.key.metric}: ${value}, no baseline yet (${b.reason})`;
  const base = formatValue(b.value, b.unit);
  const noise =
    v.noisePercent !== undefined ? formatPercent(v.noisePercent) : formatValue(v.noise ?? 0, v.unit);
  const change = v.change ?? 0;
  const size =
    v.changePercent !== undefined
      ? formatPercent(Math.abs(v.changePercent))
      : formatValue(Math.abs(change), v.unit);
  const how = change === 0 ? 'equals' : `is ${size} ${change > 0 ? 'above' : 'below'}`;
  return `${v.key.metric}: ${value} ${how} baseline ${base} (${baselineSource(b)}, noise ±${noise})`;
}
