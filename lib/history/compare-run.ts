/**
 * One run against the history: a verdict per (scenario, shape, metric) it measured and the change points
 * of each of those metrics' history up to it. What `netscale compare` prints.
 *
 * API:
 * - `compareRun(history, runId, {window?, pinned?, metrics?})` -> RunComparison {runId, run?, verdicts (by
 *   scenario, shape, catalogue order), changePoints (one per compared key, series up to and including the
 *   run)}. `metrics`: compare only these (e.g. the ones a gate trusts); all the run measured when absent.
 * - `regressions(comparison)`: the verdicts that are regressions.
 */
import { metricNames } from '../thresholds/metric-catalogue.ts';
import { baseline } from './baseline.ts';
import { changePoints, type ChangePoints } from './change-points.ts';
import type { HistoryRun, HistoryStore } from './history-store.ts';
import { judge, type MetricVerdict } from './verdict.ts';

export interface RunComparison {
  runId: string;
  run?: HistoryRun;
  verdicts: MetricVerdict[];
  changePoints: ChangePoints[];
}

const CATALOGUE_ORDER = new Map<string, number>(metricNames().map((name, i) => [name, i]));

function byScenarioShapeMetric(a: MetricVerdict, b: MetricVerdict): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    text(a.key.scenario, b.key.scenario) ||
    text(a.key.shape, b.key.shape) ||
    (CATALOGUE_ORDER.get(a.key.metric) ?? Infinity) - (CATALOGUE_ORDER.get(b.key.metric) ?? Infinity)
  );
}

export function compareRun(
  history: HistoryStore,
  runId: string,
  opts: { window?: number; pinned?: string; metrics?: readonly string[] } = {},
): RunComparison {
  const { metrics, ...baselineOpts } = opts;
  const compared = history
    .recordsOf(runId)
    .filter((r) => metrics === undefined || metrics.includes(r.key.metric))
    .map((current) => ({
      current,
      verdict: judge(current, baseline(history, current.key, { ...baselineOpts, before: runId })),
    }))
    .sort((a, b) => byScenarioShapeMetric(a.verdict, b.verdict));
  const verdicts = compared.map((c) => c.verdict);
  const points = compared.map((c) => changePoints([...history.comparable(c.current.key, runId), c.current]));
  const run = history.run(runId);
  return { runId, ...(run ? { run } : {}), verdicts, changePoints: points };
}

export function regressions(comparison: RunComparison): MetricVerdict[] {
  return comparison.verdicts.filter((v) => v.verdict === 'regression');
}
