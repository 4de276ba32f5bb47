/**
 * Trend charts in the generated Allure report: a Vitest run of its own attaches a scenario's trend
 * charts against a synthetic history (support/trend-report.spec.ts), `npm run report` builds the
 * report from its results, and the report's own data is read back: the scenario's test carries the
 * SVG and, beside it, the chart's data, whose runs and band are the history's.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { baseline, noiseBand, type Baseline } from '../../lib/history/baseline.ts';
import { HistoryStore } from '../../lib/history/history-store.ts';
import type { TrendChart } from '../../lib/report/trend-charts.ts';
import { REPO_ROOT } from '../support/repo-root.ts';
import { appendSeries, KEY, nightId, wiggled } from '../history/synthetic-history.ts';
import { reportDir, reportTestResults, runReportScript } from './support/report-script.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** The environment of a run of its own: the outer Vitest's and netscale's variables left out. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VITEST|NETSCALE_)/.test(k) && k !== 'NODE_ENV' && k !== 'TEST') env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

describe('trend charts in the Allure report', () => {
  it(
    "are attached to the scenario's result with their data, as the history has them",
    { timeout: 120_000 },
    async () => {
      const dir = await reportDir();
      dirs.push(dir);
      const root = join(dir, 'reports');
      const history = await HistoryStore.open(root);
      await appendSeries(history, {
        values: Array.from({ length: 9 }, (_, i) => wiggled(8.1, i)),
        resolution: 0.05,
      });

      const run = await execa(
        process.execPath,
        [
          join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          'test/report/support/trend-report.vitest.config.ts',
        ],
        {
          cwd: REPO_ROOT,
          env: childEnv({
            NETSCALE_REPORTS_DIR: root,
            NETSCALE_ALLURE_RESULTS_DIR: join(root, 'allure-results'),
          }),
          extendEnv: false,
          all: true,
          reject: false,
          timeout: 60_000,
        },
      );
      expect(run.exitCode, run.all).toBe(0);
      const report = await runReportScript(dir);
      expect(report.code, report.output).toBe(0);

      const [scenario] = await reportTestResults(dir);
      const title = `trend: prefix_add_time (${KEY.shape})`;
      expect(scenario!.attachments.map((a) => [a.name, a.contentType])).toEqual([
        [title, 'image/svg+xml'],
        [`${title} data`, 'application/json'],
      ]);
      const [svgFile, dataFile] = scenario!.attachments.map((a) => a.file);
      const chart = JSON.parse(await readFile(dataFile!, 'utf8')) as TrendChart;
      expect(chart.runs.map((r) => [r.runId, r.value, r.thisRun])).toEqual([
        ...Array.from({ length: 9 }, (_, i) => [nightId(i), wiggled(8.1, i), false]),
        ['tonight', 9.8, true],
      ]);
      const b = baseline(history, KEY) as Baseline;
      const noise = noiseBand(b, 0.05);
      expect(chart.band).toEqual({ baseline: b.value, lo: b.value - noise, hi: b.value + noise, noise });
      expect(chart.verdict.verdict).toBe('regression');

      // The picture shows the same: every run's point, tonight's apart, and the band.
      const svg = await readFile(svgFile!, 'utf8');
      const points = [
        ...svg.matchAll(
          /aria-label="run: ([^;]+); [^;]+: ([^;]+); kind: ([^"]+)" role="graphics-symbol" aria-roledescription="point"/g,
        ),
      ];
      expect(points.map(([, run, , kind]) => [run, kind])).toEqual(
        chart.runs.map((r) => [r.runId, r.thisRun ? 'this run' : 'earlier runs']),
      );
      const rect =
        /aria-label="prefix_add_time \(s\): ([\d.]+); hi: ([\d.]+)" role="graphics-symbol" aria-roledescription="rect mark"/.exec(
          svg,
        );
      expect(Number(rect?.[1])).toBeCloseTo(chart.band!.lo, 6);
      expect(Number(rect?.[2])).toBeCloseTo(chart.band!.hi, 6);
    },
  );
});
