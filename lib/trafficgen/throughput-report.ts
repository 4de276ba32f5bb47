/**
 * Reports of throughput scenarios over frame sizes: a table per frame size, a summary table, a CSV and a
 * chart of one metric vs frame size in Allure, a search trace chart, and the generator's logs.
 *
 * API:
 * - `FrameSizeRow` {frameSize, values: {metric: MeasuredValue | undefined}}; `frameSizeRows(record)` reads
 *   them back from a run archive's ScenarioRecord (its iterations' params.frame_size and measurements).
 * - `frameSizeTable(rows)`: text table, values in readable units (`9.5M/s`, `12 us`), '-' when absent.
 * - `frameSizeCsv(rows)`: frame_size and one column per metric, values in base units, empty when absent.
 * - `frameSizeChart(rows, {metric, title})` -> BarChartSpec: a missing value stays missing (no bar), never 0.
 * - `attachFrameSizeTable(name, row)`, `attachSearchTrace(name, trials)`, `attachLogs(logs)`.
 * - `reportFrameSizeSweep(record, {metric, title})`: the summary table, CSV and chart of an archived scenario.
 */
import { stringify } from 'csv-stringify/sync';
import type { ScenarioRecord } from '../report/run-archive.ts';
import { attachJson, attachSvg, attachText } from '../report/allure.ts';
import { barChartSvg, lineChartSvg, type BarChartSpec } from '../report/charts.ts';
import type { MeasuredValue } from '../thresholds/metric-catalogue.ts';
import { formatQuantity, type BaseUnit } from '../thresholds/quantity.ts';
import type { SearchTrial } from './search/trial.ts';

export interface FrameSizeRow {
  frameSize: number;
  /** Catalogue metrics and other figures by name; undefined or left out when not measured. */
  values: Readonly<Record<string, MeasuredValue | undefined>>;
}

/** How a table shows each base unit: frame rates in M/s, bit rates in Mbit/s, latencies in us. */
const TABLE_DISPLAY: Record<BaseUnit, string> = {
  s: 'us',
  '%': '%',
  count: '',
  '/s': 'M/s',
  'bit/s': 'Mbit/s',
  B: 'B',
};

function isPresent(m: MeasuredValue | undefined): m is MeasuredValue {
  return m !== undefined && Number.isFinite(m.value);
}

function columns(rows: readonly FrameSizeRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
}

export function frameSizeRows(record: ScenarioRecord): FrameSizeRow[] {
  return record.iterations
    .map((it) => {
      const frameSize = it.params.frame_size;
      if (typeof frameSize !== 'number') {
        throw new Error(
          `scenario ${record.scenario}, iteration ${it.iteration}: expected params.frame_size, found ${JSON.stringify(frameSize)}`,
        );
      }
      return { frameSize, values: it.measurements };
    })
    .sort((a, b) => a.frameSize - b.frameSize);
}

export function frameSizeTable(rows: readonly FrameSizeRow[]): string {
  const keys = columns(rows);
  const cell = (m: MeasuredValue | undefined) =>
    isPresent(m) ? formatQuantity(m.value, m.unit, { display: TABLE_DISPLAY[m.unit] }) : '-';
  const head = ['frame_size', ...keys];
  const body = rows.map((r) => [String(r.frameSize), ...keys.map((k) => cell(r.values[k]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

export function frameSizeCsv(rows: readonly FrameSizeRow[]): string {
  const keys = columns(rows);
  const cell = (m: MeasuredValue | undefined) => (isPresent(m) ? m.value : undefined);
  return stringify(
    rows.map((r) => [r.frameSize, ...keys.map((k) => cell(r.values[k]))]),
    { header: true, columns: ['frame_size', ...keys] },
  );
}

export function frameSizeChart(
  rows: readonly FrameSizeRow[],
  chart: { metric: string; title: string },
): BarChartSpec {
  const unit = rows.map((r) => r.values[chart.metric]).find(isPresent)?.unit;
  return {
    title: chart.title,
    xTitle: 'frame size (B)',
    yTitle: unit && unit !== 'count' ? `${chart.metric} (${unit})` : chart.metric,
    bars: rows.map((r) => ({ label: String(r.frameSize), value: r.values[chart.metric]?.value })),
  };
}

export async function attachFrameSizeTable(name: string, row: FrameSizeRow): Promise<void> {
  await attachText(`${name} (${row.frameSize} B)`, frameSizeTable([row]));
}

export async function attachSearchTrace(name: string, trials: readonly SearchTrial[]): Promise<void> {
  if (trials.length === 0) return;
  const svg = await lineChartSvg({
    title: `${name}: search trace`,
    xTitle: 'trial',
    yTitle: 'Mpps',
    series: [
      { name: 'offered rate', points: trials.map((t) => ({ x: t.index, y: t.rateMpps })) },
      { name: 'lower bound', points: trials.map((t) => ({ x: t.index, y: t.lowerMpps })) },
      { name: 'upper bound', points: trials.map((t) => ({ x: t.index, y: t.upperMpps })) },
    ],
  });
  await attachSvg(`${name}: search trace`, svg);
  await attachJson(`${name}: trials`, trials);
}

export async function attachLogs(logs: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, text] of Object.entries(logs)) await attachText(name, text);
}

/** Summary table, CSV and `chart.metric` vs frame size of an archived scenario. */
export async function reportFrameSizeSweep(
  record: ScenarioRecord,
  chart: { metric: string; title: string },
): Promise<void> {
  const rows = frameSizeRows(record);
  await attachText(`${record.scenario}: results`, frameSizeTable(rows));
  await attachText(`${record.scenario}: results (CSV)`, frameSizeCsv(rows));
  await attachSvg(chart.title, await barChartSvg(frameSizeChart(rows, chart)));
}
