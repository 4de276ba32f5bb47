/**
 * `netscale compare [--baseline <run-id> | --window N] [--metric <name>]... [--fail-on-regression] [--json]
 * [<run-id>]`:
 * brings the run history (<reports root>/history, lib/history) up to date with every archived run under
 * <reports root>/runs/ (so a CI job that restored only the history from its cache catches up), then
 * compares one run (default: the newest by start time) with its baseline and prints, per scenario, a
 * table of (shape, metric, baseline, this run, change, noise, verdict), a line per regression and
 * progression, and the change points of each compared metric's history.
 * With --fail-on-regression the exit code is 1 when any verdict is a regression.
 * `--metric` (repeatable) compares, prints and gates only the metrics named: a gate on the metrics that
 * the lab measures well (e.g. prefix_add_time), not on ones whose spread the history cannot yet tell
 * (cpu_avg after a few runs). A named metric the run did not measure is said on stderr.
 */
import { CliFailure } from '../cli-failure.ts';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import Table from 'cli-table3';
import { reportsRoot } from '../../report/run-archive.ts';
import { DEFAULT_WINDOW } from '../../history/baseline.ts';
import { stepLine } from '../../history/change-points.ts';
import { compareRun, regressions, type RunComparison } from '../../history/compare-run.ts';
import { formatPercent, formatValue } from '../../history/history-format.ts';
import type { HistoryKey } from '../../history/history-key.ts';
import { HistoryStore } from '../../history/history-store.ts';
import { baselineSource, verdictLine, type MetricVerdict } from '../../history/verdict.ts';
import { isMetricName, metricNames } from '../../thresholds/metric-catalogue.ts';

interface CompareOptions {
  baseline?: string;
  window?: number;
  metric: string[];
  failOnRegression?: boolean;
  json?: boolean;
}

function parseWindow(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of runs >= 1');
  return n;
}

function collectMetric(name: string, names: string[]): string[] {
  if (!isMetricName(name)) {
    throw new InvalidArgumentError(`expected a metric of the catalogue (${metricNames().join(', ')})`);
  }
  return names.includes(name) ? names : [...names, name];
}

/** Splits a shape into its params ('a=1,b=[1,2]' -> ['a=1', 'b=[1,2]']): a comma starts a param only before 'name='. */
function shapeParams(shape: string): string[] {
  return shape ? shape.split(/,(?=[^,=]+=)/) : [];
}

/** The params all of a scenario's shapes share (for its heading) and, per shape, the rest (for its rows). */
function splitShapes(shapes: readonly string[]): { common: string[]; distinct: (shape: string) => string } {
  const lists = shapes.map(shapeParams);
  const common = (lists[0] ?? []).filter((p) => lists.every((l) => l.includes(p)));
  return {
    common,
    distinct: (shape) =>
      shapeParams(shape)
        .filter((p) => !common.includes(p))
        .join(','),
  };
}

function baselineCell(v: MetricVerdict): string {
  const b = v.baseline;
  return b.found ? `${formatValue(b.value, b.unit)} (${baselineSource(b)})` : '-';
}

function changeCell(v: MetricVerdict): string {
  if (v.changePercent !== undefined) return formatPercent(v.changePercent, { signed: true });
  return v.change !== undefined
    ? `${v.change >= 0 ? '+' : '-'}${formatValue(Math.abs(v.change), v.unit)}`
    : '-';
}

function noiseCell(v: MetricVerdict): string {
  if (v.noisePercent !== undefined) return `±${formatPercent(v.noisePercent)}`;
  return v.noise !== undefined ? `±${formatValue(v.noise, v.unit)}` : '-';
}

/** Which scenario and shape a line is about. */
function place(key: HistoryKey): string {
  return `${key.scenario} (${key.shape || 'no params'})`;
}

function formatComparison(
  c: RunComparison,
  history: HistoryStore,
  o: { window: number; pinned?: string; metrics: readonly string[] },
): string {
  const out: string[] = [];
  const run = c.run;
  const facts = run ? [`lab ${run.lab}`, ...(run.dutVersion ? [`dut_version ${run.dutVersion}`] : [])] : [];
  const against = o.pinned ? `run ${o.pinned}` : `the median of up to ${o.window} earlier comparable runs`;
  const only = o.metrics.length ? `, ${o.metrics.join(', ')} only` : '';
  out.push(`run ${c.runId}${facts.length ? ` (${facts.join(', ')})` : ''} against ${against}${only}`);
  if (c.verdicts.length === 0) {
    const what = o.metrics.length ? o.metrics.join(', ') : 'catalogue metrics';
    out.push(`run ${c.runId} has no ${what} in the history ${history.dir}`);
    return out.join('\n') + '\n';
  }
  const scenarios = [...new Set(c.verdicts.map((v) => v.key.scenario))];
  for (const scenario of scenarios) {
    const rows = c.verdicts.filter((v) => v.key.scenario === scenario);
    const { common, distinct } = splitShapes([...new Set(rows.map((v) => v.key.shape))]);
    const table = new Table({
      head: ['shape', 'metric', 'baseline', 'this run', 'change', 'noise', 'verdict'],
      style: { head: [], border: [], compact: true },
    });
    for (const v of rows) {
      table.push([
        distinct(v.key.shape) || '-',
        v.key.metric,
        baselineCell(v),
        formatValue(v.value, v.unit, v.resolution),
        changeCell(v),
        noiseCell(v),
        v.verdict,
      ]);
    }
    out.push('', `${scenario}${common.length ? ` (${common.join(',')})` : ''}`, table.toString());
  }
  const notable = c.verdicts.filter((v) => v.verdict === 'regression' || v.verdict === 'progression');
  for (const kind of ['regression', 'progression'] as const) {
    const lines = notable
      .filter((v) => v.verdict === kind)
      .map((v) => `  ${place(v.key)}: ${verdictLine(v)}`);
    if (lines.length) out.push('', `${kind}s:`, ...lines);
  }
  const steps = c.changePoints.flatMap((p) =>
    p.steps.map((s) => `  ${p.key ? `${place(p.key)}: ` : ''}${stepLine(s)}`),
  );
  out.push('', steps.length ? 'change points:' : 'change points: none', ...steps);
  return out.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'append archived runs to the run history, then compare a run with its baseline (regressions, change points)',
    )
    .argument('[run-id]', 'run to compare (default: the newest run in the reports root)')
    .option('--baseline <run-id>', 'compare with this run instead of a median of earlier runs')
    .option(
      '--window <n>',
      `earlier comparable runs the median baseline is taken over (default ${DEFAULT_WINDOW})`,
      parseWindow,
    )
    .option(
      '--metric <name>',
      'compare and gate only this metric (repeatable; default: every metric the run measured)',
      collectMetric,
      [],
    )
    .option('--fail-on-regression', 'exit with code 1 when any metric regressed')
    .option('--json', 'print the comparison as JSON')
    .action(async (runIdArg: string | undefined, opts: CompareOptions) => {
      if (opts.baseline !== undefined && opts.window !== undefined) {
        throw new Error('--baseline and --window exclude each other: a pinned baseline has no window');
      }
      const root = reportsRoot();
      const history = await HistoryStore.open(root);
      const { appended, skipped } = await history.catchUp();
      for (const s of skipped) process.stderr.write(`netscale compare: skipped ${s.dir}: ${s.reason}\n`);
      for (const w of history.warnings) process.stderr.write(`netscale compare: ${w}\n`);

      const runId = runIdArg ?? history.runs().at(-1)?.runId;
      if (runId === undefined) {
        throw new Error(
          `no runs to compare: none archived in ${root}/runs and none in the history ${history.dir}`,
        );
      }
      // Listed runs are not re-read by catchUp; the one under test may have gained scenarios since.
      const archived = join(root, 'runs', runId);
      if (history.run(runId) && (await stat(join(archived, 'run.json')).catch(() => undefined))) {
        await history.appendRun(archived);
      }
      if (!history.run(runId) && history.recordsOf(runId).length === 0) {
        throw new Error(`run ${runId}: not archived in ${root}/runs and not in the history ${history.dir}`);
      }
      if (opts.baseline !== undefined && !history.run(opts.baseline)) {
        throw new Error(
          `--baseline ${opts.baseline}: not archived in ${root}/runs and not in the history ${history.dir}`,
        );
      }
      const window = opts.window ?? DEFAULT_WINDOW;
      const metrics = opts.metric;
      const comparison = compareRun(history, runId, {
        window,
        ...(opts.baseline ? { pinned: opts.baseline } : {}),
        ...(metrics.length ? { metrics } : {}),
      });
      const measured = new Set(history.recordsOf(runId).map((r) => r.key.metric));
      for (const m of metrics.filter((name) => !measured.has(name))) {
        process.stderr.write(`netscale compare: --metric ${m}: run ${runId} did not measure it\n`);
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...comparison, appended }, null, 2) + '\n');
      } else {
        if (appended.length)
          process.stdout.write(`history: appended ${appended.length} run(s) to ${history.dir}\n`);
        process.stdout.write(
          formatComparison(comparison, history, {
            window,
            metrics,
            ...(opts.baseline ? { pinned: opts.baseline } : {}),
          }),
        );
      }
      const regressed = regressions(comparison);
      if (opts.failOnRegression && regressed.length > 0) {
        throw new CliFailure(`netscale compare: ${regressed.length} regression(s) in run ${runId}`);
      }
    });
}
