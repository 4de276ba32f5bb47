import { describe, expect, it } from 'vitest';
import { seriesStats, valueAt } from '../../lib/measure/stats.ts';
import { Series } from '../../lib/measure/series.ts';

function series(pts: Array<[number, number]>): Series {
  const s = new Series('x', '%');
  for (const [t, v] of pts) s.add(v, t, t);
  return s;
}

describe('seriesStats', () => {
  it('min, max, time-weighted mean, peak and its time', () => {
    // 10% for 900 ms, then 100% for 100 ms: the time-weighted mean is 19, the sample mean would be 40.
    const s = series([
      [0, 10],
      [100, 10],
      [900, 100],
      [1000, 40],
    ]);
    const st = seriesStats(s)!;
    expect(st).toMatchObject({ count: 4, min: 10, max: 100, peak: { t: 900, v: 100 } });
    expect(st.mean).toBeCloseTo(19, 9);
    expect(seriesStats(s, { from: 850, to: 950 })).toMatchObject({ count: 1, mean: 100 });
    expect(seriesStats(s, { from: 2000 })).toBeUndefined();
  });

  it('value of another series at the peak', () => {
    const prefixes = series([
      [0, 0],
      [500, 700],
      [1000, 1000],
    ]);
    expect(valueAt(prefixes, 900)).toBe(700);
    expect(valueAt(prefixes, -1)).toBeUndefined();
  });
});
