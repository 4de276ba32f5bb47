/**
 * The data behind each trend chart, checked against a synthetic history: the last N comparable runs in
 * run order, this run marked, the band what lib/history/baseline.ts gives for this run, and this run's
 * value the one the history records for it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseline, noiseBand, type Baseline } from '../../lib/history/baseline.ts';
import { HistoryStore } from '../../lib/history/history-store.ts';
import { attachTrendCharts, type TrendChart } from '../../lib/report/trend-charts.ts';
import {
  appendSeries,
  archiveNight,
  KEY,
  nightId,
  removeTempRoots,
  tempReportsRoot,
  wiggled,
} from '../history/synthetic-history.ts';

afterAll(removeTempRoots);

const PARAMS = { run: 1, instances: 2, agents: 10, routes: 100, servers: 1 };
const NIGHTS = 12;

/** Twelve nights of prefix_add_time near 8.1 s (±0.05 s) and peers_up_time near 2 s, on lab-a. */
async function history(): Promise<HistoryStore> {
  const store = await HistoryStore.open(await tempReportsRoot());
  const nights = Array.from({ length: NIGHTS }, (_, i) => i);
  await appendSeries(store, { values: nights.map((i) => wiggled(8.1, i)), resolution: 0.05 });
  await appendSeries(store, { key: { metric: 'peers_up_time' }, values: nights.map((i) => wiggled(2, i)) });
  // Not comparable: another lab, another shape.
  await appendSeries(store, { key: { lab: 'lab-b' }, values: nights.map(() => 50) });
  await appendSeries(store, { key: { shape: 'instances=9' }, values: nights.map(() => 70) });
  return store;
}

function chartOf(charts: TrendChart[], metric: string): TrendChart {
  const chart = charts.find((c) => c.key.metric === metric);
  if (!chart) throw new Error(`no trend chart of ${metric} among ${charts.map((c) => c.title).join(', ')}`);
  return chart;
}

describe('trend charts', () => {
  it('show the last N comparable runs in order, then this run, with the band baseline.ts computes', async () => {
    const store = await history();
    const charts = await attachTrendCharts({
      history: store,
      lab: KEY.lab,
      scenario: KEY.scenario,
      runId: 'tonight',
      runs: 5,
      iterations: [
        {
          params: PARAMS,
          measurements: {
            prefix_add_time: { value: 9.8, unit: 's', resolution: 0.05 },
            peers_up_time: { value: 2.01, unit: 's' },
            cpu_avg: { value: 40, unit: '%' },
          },
        },
      ],
    });
    // Headline times only: cpu_avg has no threshold here.
    expect(charts.map((c) => c.title)).toEqual([
      `trend: peers_up_time (${KEY.shape})`,
      `trend: prefix_add_time (${KEY.shape})`,
    ]);
    const add = chartOf(charts, 'prefix_add_time');
    expect(add.key).toEqual(KEY);
    expect(add.runs.map((r) => [r.runId, r.thisRun])).toEqual([
      ...[7, 8, 9, 10, 11].map((i) => [nightId(i), false]),
      ['tonight', true],
    ]);
    expect(add.runs.slice(0, -1).map((r) => r.value)).toEqual([7, 8, 9, 10, 11].map((i) => wiggled(8.1, i)));
    expect(add.runs.at(-1)).toMatchObject({ value: 9.8, resolution: 0.05 });

    const b = baseline(store, KEY) as Baseline;
    expect(b.runIds).toEqual([5, 6, 7, 8, 9, 10, 11].map(nightId));
    const noise = noiseBand(b, 0.05);
    expect(add.band).toEqual({ baseline: b.value, lo: b.value - noise, hi: b.value + noise, noise });
    expect(add.verdict).toMatchObject({ verdict: 'regression', noise, baseline: b });
    expect(chartOf(charts, 'peers_up_time').verdict.verdict).toBe('normal');
  });

  it('leave a run already in the history out of its own earlier runs', async () => {
    const store = await history();
    const tonight = nightId(NIGHTS - 1);
    const charts = await attachTrendCharts({
      history: store,
      lab: KEY.lab,
      scenario: KEY.scenario,
      runId: tonight,
      runs: 3,
      window: 4,
      iterations: [{ params: PARAMS, measurements: { prefix_add_time: { value: 8.2, unit: 's' } } }],
    });
    const add = chartOf(charts, 'prefix_add_time');
    expect(add.runs.map((r) => r.runId)).toEqual([8, 9, 10, 11].map(nightId));
    expect(add.runs.map((r) => r.thisRun)).toEqual([false, false, false, true]);
    const b = baseline(store, KEY, { before: tonight, window: 4 }) as Baseline;
    expect(b.runIds).toEqual([7, 8, 9, 10].map(nightId));
    expect(add.band?.baseline).toBe(b.value);
  });

  it("chart this run's value as the history records it: the median of the iterations of one shape", async () => {
    const root = await tempReportsRoot();
    const iterations = [9.6, 9.9, 9.7].map((value, n) => ({
      params: { ...PARAMS, run: n + 1 },
      measurements: { prefix_add_time: { value, unit: 's' as const, resolution: 0.01 * (n + 1) } },
    }));
    const dir = await archiveNight(root, 0, { scenarios: { [KEY.scenario]: iterations } });
    const store = await HistoryStore.open(root);
    await store.appendRun(dir);
    const [recorded] = store.recordsOf(nightId(0));
    const [add] = await attachTrendCharts({
      history: await HistoryStore.open(await tempReportsRoot()),
      lab: KEY.lab,
      scenario: KEY.scenario,
      runId: nightId(0),
      iterations,
    });
    expect(add!.key).toEqual(recorded!.key);
    expect(add!.runs).toEqual([
      { runId: nightId(0), value: recorded!.value, resolution: recorded!.resolution, thisRun: true },
    ]);
  });

  it('chart thresholded metrics too, or exactly the metrics asked for', async () => {
    const store = await history();
    const iterations = [
      {
        params: PARAMS,
        measurements: {
          prefix_add_time: { value: 8.1, unit: 's' as const },
          cpu_peak: { value: 80, unit: '%' as const },
          rss_peak: { value: 1e8, unit: 'B' as const },
        },
        thresholds: [{ metric: 'cpu_peak' }],
      },
    ];
    const common = { history: store, lab: KEY.lab, scenario: KEY.scenario, runId: 'tonight', iterations };
    expect((await attachTrendCharts(common)).map((c) => c.key.metric)).toEqual([
      'prefix_add_time',
      'cpu_peak',
    ]);
    expect((await attachTrendCharts({ ...common, metrics: ['rss_peak'] })).map((c) => c.key.metric)).toEqual([
      'rss_peak',
    ]);
    await expect(attachTrendCharts({ ...common, metrics: ['prefix_add_tme'] })).rejects.toThrow(
      /trend charts of route-scale: prefix_add_tme not in the metric catalogue .*known: .*prefix_add_time/,
    );
  });

  it('without enough history: no band, the verdict says why', async () => {
    const store = await HistoryStore.open(await tempReportsRoot());
    await appendSeries(store, { values: [8.1, 8.2] });
    const [add] = await attachTrendCharts({
      history: store,
      lab: KEY.lab,
      scenario: KEY.scenario,
      runId: 'tonight',
      iterations: [{ params: PARAMS, measurements: { prefix_add_time: { value: 8.3, unit: 's' } } }],
    });
    expect(add!.runs.map((r) => r.runId)).toEqual([nightId(0), nightId(1), 'tonight']);
    expect(add!.band).toBeUndefined();
    expect(add!.verdict).toMatchObject({
      verdict: 'no baseline yet',
      baseline: { found: false, reason: 'only 2 comparable earlier run(s), 3 needed' },
    });
  });
});
