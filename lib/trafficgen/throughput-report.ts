/**
 * Reports for throughput scenarios: a table per frame size, a throughput vs
 * frame size chart and a search trace chart in Allure, MoonGen logs attached,
 * and the results in the run archive as JSON and CSV with vsperf's keys.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { attachJson, attachSvg, attachText } from '../report/allure.ts';
import { barChartSvg, lineChartSvg } from '../report/charts.ts';
import { RunArchive } from '../report/run-archive.ts';
import type { SearchTrial } from './search/trial.ts';

export interface FrameSizeRow {
  frameSize: number;
  /** vsperf result keys plus any extra numbers (throughput_mpps, ...). */
  values: Record<string, number>;
}

function csv(rows: FrameSizeRow[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  const cell = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : String(n));
  return (
    [
      ['frame_size', ...keys].join(','),
      ...rows.map((r) => [r.frameSize, ...keys.map((k) => cell(r.values[k]))].join(',')),
    ].join('\n') + '\n'
  );
}

function table(rows: FrameSizeRow[], keys: string[]): string {
  const head = ['frame_size', ...keys];
  const body = rows.map((r) => [
    String(r.frameSize),
    ...keys.map((k) => (Number.isNaN(r.values[k]) ? '-' : (r.values[k] ?? NaN).toFixed(3))),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

export async function attachFrameSizeTable(name: string, row: FrameSizeRow): Promise<void> {
  await attachText(`${name} (${row.frameSize} B)`, table([row], Object.keys(row.values)));
}

export async function attachSearchTrace(name: string, trials: SearchTrial[]): Promise<void> {
  if (trials.length === 0) return;
  const point = (t: SearchTrial, y: number) => ({ x: t.index, y });
  const svg = await lineChartSvg({
    title: `${name}: search trace`,
    xTitle: 'trial',
    yTitle: 'Mpps',
    series: [
      { name: 'offered rate', points: trials.map((t) => point(t, t.rateMpps)) },
      {
        name: 'lower bound',
        points: trials.filter((t) => t.lowerMpps !== null).map((t) => point(t, t.lowerMpps!)),
      },
      {
        name: 'upper bound',
        points: trials.filter((t) => t.upperMpps !== null).map((t) => point(t, t.upperMpps!)),
      },
    ],
  });
  await attachSvg(`${name}: search trace`, svg);
  await attachJson(`${name}: trials`, trials);
}

export async function attachLogs(logs: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(logs)) await attachText(name, text);
}

/** Summary table, throughput chart and archive files for a sweep over frame sizes. */
export async function reportFrameSizeSweep(
  name: string,
  rows: FrameSizeRow[],
  chart: { key: string; title: string },
): Promise<string> {
  await attachText(`${name}: results`, table(rows, Object.keys(rows[0]?.values ?? {})));
  const svg = await barChartSvg({
    title: chart.title,
    xTitle: 'frame size (B)',
    yTitle: chart.key,
    bars: rows.map((r) => ({ label: String(r.frameSize), value: r.values[chart.key] ?? 0 })),
  });
  await attachSvg(chart.title, svg);
  const archive = await RunArchive.open();
  const dir = join(archive.dir, 'throughput');
  await mkdir(dir, { recursive: true });
  const slug = name.replace(/[^\w.-]+/g, '_');
  await writeFile(join(dir, `${slug}.json`), JSON.stringify({ name, rows }, null, 2) + '\n');
  await writeFile(join(dir, `${slug}.csv`), csv(rows));
  return dir;
}
