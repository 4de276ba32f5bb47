/**
 * One scenario's trend charts, attached to its Allure result (run by test/report/trend-report.test.ts
 * through trend-report.vitest.config.ts): this run of route-scale against the history in
 * NETSCALE_REPORTS_DIR.
 */
import { expect, test } from 'vitest';
import { HistoryStore } from '../../../lib/history/history-store.ts';
import { reportsRoot } from '../../../lib/report/run-archive.ts';
import { attachTrendCharts } from '../../../lib/report/trend-charts.ts';
import { KEY } from '../../history/synthetic-history.ts';

test('route scale', async () => {
  const charts = await attachTrendCharts({
    history: await HistoryStore.open(reportsRoot()),
    lab: KEY.lab,
    scenario: KEY.scenario,
    runId: 'tonight',
    iterations: [
      {
        params: { run: 1, instances: 2, agents: 10, routes: 100, servers: 1 },
        measurements: { prefix_add_time: { value: 9.8, unit: 's', resolution: 0.05 } },
      },
    ],
  });
  expect(charts.map((c) => c.key.metric)).toEqual(['prefix_add_time']);
});
