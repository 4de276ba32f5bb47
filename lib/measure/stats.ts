/**
 * Summary statistics of a series, for thresholds and reports.
 *
 * API:
 * - `seriesStats(series, {from?, to?})` -> SeriesStats {count, min, max, mean, peak: {v, t, wall}} or
 *   undefined when no point lies in [from, to] (monotonic ms). `mean` is time-weighted (each sample holds
 *   until the next), because adaptive polling samples busy periods more densely than idle ones; with one
 *   point it is that point's value.
 * - `valueAt(series, t)` -> the last value at or before t (undefined before the first point): e.g. the
 *   control node's CPU at the moment prefixes peaked.
 */
import type { SeriesData, SeriesPoint } from './series.ts';

export interface SeriesStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** The first point reaching the maximum. */
  peak: SeriesPoint;
}

export function seriesStats(
  s: Pick<SeriesData, 'points'>,
  range: { from?: number; to?: number } = {},
): SeriesStats | undefined {
  const pts = s.points.filter(
    (p) => (range.from === undefined || p.t >= range.from) && (range.to === undefined || p.t <= range.to),
  );
  if (pts.length === 0) return undefined;
  let peak = pts[0]!;
  let min = peak.v;
  for (const p of pts) {
    if (p.v > peak.v) peak = p;
    if (p.v < min) min = p.v;
  }
  const span = pts[pts.length - 1]!.t - pts[0]!.t;
  let mean: number;
  if (span > 0) {
    let area = 0;
    for (let i = 0; i + 1 < pts.length; i++) area += pts[i]!.v * (pts[i + 1]!.t - pts[i]!.t);
    mean = area / span;
  } else {
    mean = pts.reduce((a, p) => a + p.v, 0) / pts.length;
  }
  return { count: pts.length, min, max: peak.v, mean, peak };
}

export function valueAt(s: Pick<SeriesData, 'points'>, t: number): number | undefined {
  let v: number | undefined;
  for (const p of s.points) {
    if (p.t > t) break;
    v = p.v;
  }
  return v;
}
