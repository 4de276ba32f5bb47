/**
 * Trend charts for a scenario's Allure result: per iteration shape and key metric, the metric over the
 * last runs of the history that are comparable with this one (same lab, scenario and shape:
 * lib/history/history-key.ts), this run highlighted, and the noise band this run's verdict uses
 * (lib/history/baseline.ts: baseline ± noiseBand(baseline, this run's resolution), the band
 * `netscale compare` and relative thresholds judge by). Each SVG has its data attached beside it as
 * JSON ('<title> data'), so a reader and a test can check the figures behind the picture.
 *
 * Key metrics: the catalogue has no such flag, so they are the metrics the scenario sets thresholds on
 * (what the scenario's author cares about) plus the headline times the progress line reports
 * (peers_up_time, prefix_add_time, reconvergence_time, prefix_delete_time), of those the iterations
 * measured. `metrics` replaces that choice.
 *
 * This run's value per shape is the median of its iterations of that shape and its resolution the
 * largest of theirs: the record the history will hold for it (history-store.ts recordsFromRun). The
 * history is read as given: a run already in it is left out of its own earlier runs.
 *
 *   const charts = await attachTrendCharts({ history, lab: 'sim', scenario: 'route-scale', runId, iterations });
 *   charts[0].runs.at(-1).thisRun === true; charts[0].band?.lo; charts[0].verdict.verdict
 *
 * API:
 * - `attachTrendCharts({history, lab, scenario, runId, iterations, runs?, window?, metrics?})` ->
 *   Promise<TrendChart[]> (catalogue order within each shape); attaches nothing outside an Allure test.
 *   `runs`: earlier runs drawn (default 30); `window`: runs the baseline and noise come from (default
 *   baseline.ts DEFAULT_WINDOW).
 * - `HEADLINE_METRICS`.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { baseline, DEFAULT_WINDOW, noiseBand } from '../history/baseline.ts';
import { formatPercent, formatValue } from '../history/history-format.ts';
import { formatKey, iterationShape, keyId, type HistoryKey } from '../history/history-key.ts';
import type { HistoryRecord, HistoryStore } from '../history/history-store.ts';
import { median } from '../history/robust-stats.ts';
import { baselineSource, judge, type MetricVerdict } from '../history/verdict.ts';
import {
  isMetricName,
  metricNames,
  type MeasuredValue,
  type MetricName,
} from '../thresholds/metric-catalogue.ts';
import type { BaseUnit } from '../thresholds/quantity.ts';
import { allureActive, attachJson, attachSvg } from './allure.ts';
import { trendChartSvg } from './charts.ts';

/** The times a BGP scale run is summed up by (its progress line's). */
export const HEADLINE_METRICS: readonly MetricName[] = [
  'peers_up_time',
  'prefix_add_time',
  'reconvergence_time',
  'prefix_delete_time',
];

/** Earlier runs drawn by default: about a month of nightly runs, as many as Allure's own history keeps. */
const DEFAULT_RUNS = 30;

export interface TrendIteration {
  params: object;
  measurements: Readonly<Partial<Record<string, MeasuredValue>>>;
  /** The thresholds the iteration was checked against; their metrics are key metrics. */
  thresholds?: readonly { metric: string }[];
}

export interface TrendChartOptions {
  history: Pick<HistoryStore, 'comparable' | 'recordsOf' | 'run'>;
  /** The lab name the history keys this run by (its archive's environment.lab). */
  lab: string;
  scenario: string;
  runId: string;
  iterations: readonly TrendIteration[];
  runs?: number;
  window?: number;
  metrics?: readonly string[];
}

export interface TrendRun {
  runId: string;
  /** ISO start time; absent for this run when it is not in the history yet. */
  wall?: string;
  value: number;
  resolution?: number;
  thisRun: boolean;
}

export interface TrendChart {
  /** The Allure attachment's name (the data's is this plus ' data'). */
  title: string;
  key: HistoryKey;
  unit: BaseUnit;
  /** The earlier comparable runs in run order, then this run. */
  runs: TrendRun[];
  /** This run's noise band: baseline ± noise (absent without a baseline). */
  band?: { baseline: number; lo: number; hi: number; noise: number };
  /** This run against its baseline, as `netscale compare` judges it. */
  verdict: MetricVerdict;
}

const CATALOGUE_ORDER = metricNames();

function keyMetrics(iterations: readonly TrendIteration[], chosen?: readonly string[]): MetricName[] {
  const wanted = new Set<string>(
    chosen ?? [
      ...HEADLINE_METRICS,
      ...iterations.flatMap((it) => (it.thresholds ?? []).map((t) => t.metric)),
    ],
  );
  return CATALOGUE_ORDER.filter((m) => wanted.has(m));
}

/** This run's record per key: the median of its iterations of one shape, the largest resolution. */
function currentRecords(o: TrendChartOptions, metrics: readonly MetricName[]): HistoryRecord[] {
  const wall = o.history.run(o.runId)?.wall ?? new Date().toISOString();
  const groups = new Map<string, { key: HistoryKey; unit: BaseUnit; values: number[]; res: number[] }>();
  for (const it of o.iterations) {
    const shape = iterationShape({ ...it.params });
    for (const metric of metrics) {
      const m = it.measurements[metric];
      if (!m || !Number.isFinite(m.value)) continue;
      const key: HistoryKey = { lab: o.lab, scenario: o.scenario, shape, metric };
      const group = groups.get(keyId(key)) ?? { key, unit: m.unit, values: [], res: [] };
      group.values.push(m.value);
      if (m.resolution !== undefined && Number.isFinite(m.resolution)) group.res.push(m.resolution);
      groups.set(keyId(key), group);
    }
  }
  return [...groups.values()].map(({ key, unit, values, res }) => ({
    key,
    runId: o.runId,
    wall,
    value: median(values),
    unit,
    ...(res.length ? { resolution: Math.max(...res) } : {}),
    netscaleVersion: packageJson.version,
  }));
}

function trendOf(o: TrendChartOptions, current: HistoryRecord): TrendChart {
  const inHistory = o.history.run(o.runId) !== undefined;
  const before = inHistory ? { before: o.runId } : {};
  const earlier = o.history
    .comparable(current.key, inHistory ? o.runId : undefined)
    .filter((r) => r.runId !== o.runId)
    .slice(-(o.runs ?? DEFAULT_RUNS));
  const b = baseline(o.history, current.key, { window: o.window ?? DEFAULT_WINDOW, ...before });
  const verdict = judge(current, b);
  const wall = o.history.run(o.runId)?.wall;
  const runs: TrendRun[] = [
    ...earlier.map((r) => ({
      runId: r.runId,
      wall: r.wall,
      value: r.value,
      ...(r.resolution !== undefined ? { resolution: r.resolution } : {}),
      thisRun: false,
    })),
    {
      runId: current.runId,
      ...(wall ? { wall } : {}),
      value: current.value,
      ...(current.resolution !== undefined ? { resolution: current.resolution } : {}),
      thisRun: true,
    },
  ];
  const { metric, shape } = current.key;
  const title = `trend: ${metric}${shape ? ` (${shape})` : ''}`;
  if (!b.found) return { title, key: current.key, unit: current.unit, runs, verdict };
  const noise = noiseBand(b, current.resolution);
  return {
    title,
    key: current.key,
    unit: current.unit,
    runs,
    band: { baseline: b.value, lo: b.value - noise, hi: b.value + noise, noise },
    verdict,
  };
}

function subtitleOf(chart: TrendChart): string {
  const v = chart.verdict;
  const b = v.baseline;
  if (!b.found) return `no baseline yet (${b.reason})`;
  const noise =
    v.noisePercent !== undefined ? formatPercent(v.noisePercent) : formatValue(v.noise ?? 0, v.unit);
  return `band: baseline ${formatValue(b.value, b.unit)} (${baselineSource(b)}) ± noise ${noise}; this run: ${v.verdict}`;
}

async function attach(chart: TrendChart): Promise<void> {
  const svg = await trendChartSvg({
    title: formatKey(chart.key),
    subtitle: subtitleOf(chart),
    xTitle: 'run',
    yTitle: `${chart.key.metric} (${chart.unit})`,
    points: chart.runs.map((r) => ({ label: r.runId, y: r.value, highlighted: r.thisRun })),
    ...(chart.band ? { band: { lo: chart.band.lo, hi: chart.band.hi, centre: chart.band.baseline } } : {}),
    highlightedName: 'this run',
    othersName: 'earlier runs',
  });
  await attachSvg(chart.title, svg);
  await attachJson(`${chart.title} data`, chart);
}

export async function attachTrendCharts(o: TrendChartOptions): Promise<TrendChart[]> {
  const unknown = (o.metrics ?? []).filter((m) => !isMetricName(m));
  if (unknown.length) {
    throw new Error(
      `trend charts of ${o.scenario}: ${unknown.join(', ')} not in the metric catalogue ` +
        `(lib/thresholds/metric-catalogue.ts; known: ${CATALOGUE_ORDER.join(', ')})`,
    );
  }
  const charts = currentRecords(o, keyMetrics(o.iterations, o.metrics)).map((r) => trendOf(o, r));
  // Drawing costs vega a few hundred ms per chart: only where Allure records it.
  if (allureActive()) for (const chart of charts) await attach(chart);
  return charts;
}
