/**
 * SVG charts for reports, drawn by vega-lite + vega (headless: renderer 'none', toSVG).
 *
 * API:
 * - `lineChartSvg({title, xTitle, yTitle, series: [{name, points: [{x, y}]}], width?, height?})` -> Promise<svg>
 *   e.g. peers up / prefixes / CPU % over seconds since the start of the iteration; one coloured line per series.
 * - `barChartSvg({title, xTitle, yTitle, bars: [{label, value, group?}], width?, height?})` -> Promise<svg>
 *   e.g. prefix add time per iteration (group = series of bars side by side).
 * - `seriesToChartPoints(points, t0?)` -> [{x: seconds since t0, y}] from Series points.
 * - `trendChartSvg({title, subtitle?, xTitle, yTitle, points: [{label, y, highlighted?}], band?: {lo, hi,
 *   centre?}, highlightedName?, othersName?})`
 *   -> Promise<svg>: one value per run in the given order (labels on the x axis), the highlighted ones
 *   drawn as larger points in their own colour, and a band (e.g. a baseline's noise band) as a shaded
 *   strip across the chart with a rule at its centre.
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

export interface TrendPoint {
  label: string;
  y: ChartValue;
  highlighted?: boolean;
}

export interface TrendChartSpec {
  title: string;
  /** A second title line, e.g. what the band is. */
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  points: TrendPoint[];
  /** A horizontal band from lo to hi, with a rule at centre when given. */
  band?: { lo: number; hi: number; centre?: number };
  /** Legend names of the two kinds of point. */
  highlightedName?: string;
  othersName?: string;
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

/** One layer of a layered chart. */
type ChartLayer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

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

export function trendChartSvg(spec: TrendChartSpec): Promise<string> {
  const highlighted = spec.highlightedName ?? 'highlighted';
  const others = spec.othersName ?? 'others';
  const values = spec.points
    .filter((p) => present(p.y))
    .map((p) => ({ label: p.label, y: p.y, kind: p.highlighted ? highlighted : others }));
  const labels = spec.points.map((p) => p.label);
  const x = {
    field: 'label',
    type: 'nominal',
    title: spec.xTitle,
    sort: null,
    // Every run keeps its place on the axis, also one whose value is missing.
    scale: { domain: labels },
    axis: { labelAngle: -40, labelLimit: 140 },
  } as const;
  const y = { field: 'y', type: 'quantitative', title: spec.yTitle, scale: { zero: false } } as const;
  const layers: ChartLayer[] = [];
  const band = spec.band;
  if (band) {
    layers.push({
      // Without an x encoding a rect spans the whole width: the band holds for every run.
      data: { values: [{ lo: band.lo, hi: band.hi }] },
      mark: { type: 'rect', color: '#9ecae1', opacity: 0.35 },
      encoding: {
        y: { field: 'lo', type: 'quantitative', title: spec.yTitle, scale: { zero: false } },
        y2: { field: 'hi' },
      },
    });
    if (band.centre !== undefined) {
      layers.push({
        data: { values: [{ centre: band.centre }] },
        mark: { type: 'rule', color: '#3182bd', strokeDash: [4, 3] },
        encoding: { y: { field: 'centre', type: 'quantitative', title: spec.yTitle } },
      });
    }
  }
  layers.push(
    { data: { values }, mark: { type: 'line', color: '#888888' }, encoding: { x, y } },
    {
      data: { values },
      mark: { type: 'point', filled: true },
      encoding: {
        x,
        y,
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: [others, highlighted], range: ['#4c78a8', '#e45756'] },
        },
        size: { condition: { test: `datum.kind === '${highlighted}'`, value: 160 }, value: 40 },
      },
    },
  );
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: spec.subtitle ? { text: spec.title, subtitle: spec.subtitle } : spec.title,
    width: spec.width ?? 640,
    height: spec.height ?? 300,
    layer: layers,
  });
}
