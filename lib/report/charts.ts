/**
 * SVG charts for reports, drawn by vega-lite + vega (headless: renderer 'none', toSVG).
 *
 * API:
 * - `lineChartSvg({title, xTitle, yTitle, series: [{name, points: [{x, y}]}], width?, height?})` -> Promise<svg>
 *   e.g. peers up / prefixes / CPU % over seconds since the start of the iteration; one coloured line per series.
 * - `barChartSvg({title, xTitle, yTitle, bars: [{label, value, group?}], width?, height?})` -> Promise<svg>
 *   e.g. prefix add time per iteration (group = series of bars side by side).
 * - `seriesToChartPoints(points, t0?)` -> [{x: seconds since t0, y}] from Series points.
 *
 * A missing value (y or value undefined, null or NaN) is not drawn: no point, no bar, never a 0 that
 * reads as a measurement. A bar chart keeps the missing bar's label on its axis, so the gap shows.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SeriesPoint } from '../measure/series.ts';

/** A value that may be missing (not measured): undefined, null or NaN. */
export type ChartValue = number | null | undefined;

export interface ChartPoint {
  x: number;
  y: ChartValue;
}

export interface LineChartSpec {
  title: string;
  xTitle: string;
  yTitle: string;
  series: Array<{ name: string; points: ChartPoint[] }>;
  width?: number;
  height?: number;
}

export interface BarChartSpec {
  title: string;
  xTitle: string;
  yTitle: string;
  bars: Array<{ label: string; value: ChartValue; group?: string }>;
  width?: number;
  height?: number;
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function present(v: ChartValue): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function seriesToChartPoints(points: readonly SeriesPoint[], t0 = points[0]?.t ?? 0): ChartPoint[] {
  return points.map((p) => ({ x: (p.t - t0) / 1000, y: p.v }));
}

export function lineChartSvg(spec: LineChartSpec): Promise<string> {
  const values = spec.series.flatMap((s) =>
    s.points.filter((p) => present(p.y)).map((p) => ({ series: s.name, x: p.x, y: p.y })),
  );
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: spec.title,
    width: spec.width ?? 640,
    height: spec.height ?? 300,
    data: { values },
    mark: { type: 'line', point: values.length <= 200 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: spec.xTitle },
      y: { field: 'y', type: 'quantitative', title: spec.yTitle },
      color: { field: 'series', type: 'nominal', title: null, sort: spec.series.map((s) => s.name) },
    },
  });
}

export function barChartSvg(spec: BarChartSpec): Promise<string> {
  const grouped = spec.bars.some((b) => b.group !== undefined);
  const values = spec.bars
    .filter((b) => present(b.value))
    .map((b) => ({ label: b.label, value: b.value, group: b.group ?? '' }));
  const labels = [...new Set(spec.bars.map((b) => b.label))];
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: spec.title,
    width: spec.width ?? 480,
    height: spec.height ?? 300,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', title: spec.xTitle, sort: null, scale: { domain: labels } },
      y: { field: 'value', type: 'quantitative', title: spec.yTitle },
      ...(grouped
        ? {
            xOffset: { field: 'group', type: 'nominal' },
            color: { field: 'group', type: 'nominal', title: null },
          }
        : {}),
    },
  });
}
