import { describe, expect, it } from 'vitest';
import { seriesStats, valueAt } from '../../lib/measure/stats.ts';
import { jsonCmp, runAndExpect } from '../../lib/measure/run-and-expect.ts';
import { Series } from '../../lib/measure/series.ts';
import { monotonicMs } from '../../lib/clock.ts';

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

describe('jsonCmp', () => {
  const actual = {
    tables: [
      { name: 'a', prefixes: 10, pending: 0 },
      { name: 'b', prefixes: 5, pending: 2 },
    ],
    up: 3,
  };
  it('matches subsets in any order, null means absent, functions are predicates', () => {
    expect(jsonCmp(actual, { up: 3 })).toBeUndefined();
    expect(
      jsonCmp(actual, { tables: [{ name: 'b' }, { name: 'a', pending: 0 }], down: null }),
    ).toBeUndefined();
    expect(jsonCmp(actual, { up: (v: unknown) => (v as number) >= 3 })).toBeUndefined();
  });
  it('lists every difference with its path', () => {
    expect(jsonCmp(actual, { up: 4, tables: [{ name: 'c' }], missing: 1, tables2: null })).toEqual([
      '$.up: expected 4, found 3',
      '$.tables[0]: no element matches {"name":"c"}',
      '$.missing: missing (expected 1)',
    ]);
    expect(jsonCmp(actual, { up: null })).toEqual(['$.up: expected absent, found 3']);
  });
});

describe('runAndExpect', () => {
  it('polls until the subset matches', async () => {
    let n = 0;
    const r = await runAndExpect(() => ({ count: ++n }), { count: 3 }, { timeoutMs: 2000, intervalMs: 10 });
    expect(r).toMatchObject({ ok: true, attempts: 3, value: { count: 3 } });
  });
  it('gives up at the deadline with the last differences, counting thrown errors as misses', async () => {
    const start = monotonicMs();
    let n = 0;
    const r = await runAndExpect(
      () => {
        if (++n % 2) throw new Error('connection reset');
        return { state: 'Active' };
      },
      { state: 'Established' },
      { timeoutMs: 200, intervalMs: 30 },
    );
    const took = monotonicMs() - start;
    expect(r.ok).toBe(false);
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(400);
    expect(r.attempts).toBeGreaterThan(3);
    expect(r.diff?.[0]).toMatch(
      /^(\$\.state: expected "Established", found "Active"|call failed: connection reset)$/,
    );
  });
  it('stops when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('scenario stopped')), 50);
    await expect(
      runAndExpect(() => 1, 2, { timeoutMs: 5000, intervalMs: 10, signal: ac.signal }),
    ).rejects.toThrow('scenario stopped');
  });
});
