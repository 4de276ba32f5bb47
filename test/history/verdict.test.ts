import { afterAll, describe, expect, it } from 'vitest';
import { baseline, noiseBand } from '../../lib/history/baseline.ts';
import { HistoryStore } from '../../lib/history/history-store.ts';
import { judge, verdictLine, type MetricVerdict } from '../../lib/history/verdict.ts';
import type { HistoryKey } from '../../lib/history/history-key.ts';
import {
  appendSeries,
  nightId,
  removeTempRoots,
  tempReportsRoot,
  wiggled,
  type SyntheticSeries,
} from './synthetic-history.ts';

afterAll(removeTempRoots);

async function historyOf(...series: SyntheticSeries[]): Promise<{ history: HistoryStore; key: HistoryKey }> {
  const history = await HistoryStore.open(await tempReportsRoot());
  let key: HistoryKey | undefined;
  for (const s of series) key ??= await appendSeries(history, s);
  return { history, key: key! };
}

/** The verdict on the newest run of the key's series against the runs before it. */
function verdictOfLast(
  history: HistoryStore,
  key: HistoryKey,
  opts: { pinned?: string; window?: number } = {},
): MetricVerdict {
  const current = history.series(key).at(-1)!;
  return judge(current, baseline(history, key, { ...opts, before: current.runId }));
}

const nights = (n: number, level: number) => Array.from({ length: n }, (_, i) => wiggled(level, i));

describe('baseline and verdict', () => {
  it('a step up of a time is a regression: outside the noise band and worse', async () => {
    const { history, key } = await historyOf({ values: [...nights(10, 8.1), 9.8] });
    const v = verdictOfLast(history, key);
    expect(v.verdict).toBe('regression');
    const b = v.baseline;
    if (!b.found) throw new Error(`expected a baseline, found none: ${b.reason}`);
    expect(b.kind).toBe('median');
    expect(b.runIds).toEqual([4, 5, 6, 7, 8, 9, 10].map((i) => nightId(i - 1)));
    expect(b.value).toBeCloseTo(8.1, 1);
    expect(v.changePercent).toBeCloseTo(21, 0);
    expect(v.noise).toBeCloseTo(noiseBand(b), 12);
    expect(v.noisePercent!).toBeLessThan(3);
    expect(verdictLine(v)).toMatch(
      /^prefix_add_time: 9\.8 s is 21 % above baseline 8\.1\d* s \(median of 7 runs, noise ±/,
    );
  });

  it('a step down of a time is a progression', async () => {
    const { history, key } = await historyOf({ values: [...nights(10, 8.1), 6.9] });
    const v = verdictOfLast(history, key);
    expect(v.verdict).toBe('progression');
    expect(v.changePercent).toBeCloseTo(-15, 0);
    expect(verdictLine(v)).toContain('is 15 % below baseline');
  });

  it('a rate that falls is a regression and one that rises a progression', async () => {
    const key = { metric: 'prefixes_per_second' };
    const down = await historyOf({ key, unit: '/s', values: [...nights(8, 8000), 6500] });
    expect(verdictOfLast(down.history, down.key).verdict).toBe('regression');
    const up = await historyOf({ key, unit: '/s', values: [...nights(8, 8000), 9500] });
    expect(verdictOfLast(up.history, up.key).verdict).toBe('progression');
  });

  it('a single outlier night in the history moves neither the baseline nor the verdict', async () => {
    const values = [...nights(10, 8.1), wiggled(8.1, 10)];
    values[7] = 14; // night 8 of the window of 7 before the newest run
    const { history, key } = await historyOf({ values });
    const v = verdictOfLast(history, key);
    expect(v.verdict).toBe('normal');
    if (!v.baseline.found) throw new Error('expected a baseline');
    expect(v.baseline.runIds).toContain(nightId(7));
    expect(v.baseline.value).toBeCloseTo(8.1, 1);
    expect(v.noisePercent!).toBeLessThan(3);
  });

  it('a value inside the noise band is normal, even when worse', async () => {
    const { history, key } = await historyOf({ values: [...nights(10, 8.1), 8.1 * 1.003] });
    const v = verdictOfLast(history, key);
    expect(v.change!).toBeGreaterThan(0);
    expect(v.verdict).toBe('normal');
  });

  it("the band is widened by both runs' resolutions: a change the measurement cannot resolve is normal", async () => {
    const flat = Array.from({ length: 8 }, () => 8.1);
    const unresolved = await historyOf({ values: [...flat, 8.25], resolution: 0.1 });
    const v = verdictOfLast(unresolved.history, unresolved.key);
    expect(v.noise).toBeCloseTo(0.2, 12); // spread 0 + 0.1 (baseline) + 0.1 (this run)
    expect(v.verdict).toBe('normal');
    const exact = await historyOf({ values: [...flat, 8.25] });
    expect(verdictOfLast(exact.history, exact.key).verdict).toBe('regression');
  });

  it('slow drift: with a full window each night is normal against the median; a pinned baseline catches it', async () => {
    // +1 % a night over 20 nights (+19 % in all). The window of 7 drifts along: the value is about 4
    // nights of drift above its median, and the window's own spread (MAD of 2 nights) makes the band
    // about 9 nights wide. (With only 3 earlier runs the band is narrower and drift can show.)
    const values = Array.from({ length: 20 }, (_, i) => wiggled(8 * (1 + 0.01 * i), i));
    const { history, key } = await historyOf({ values });
    for (const record of history.series(key).slice(7)) {
      const v = judge(record, baseline(history, key, { before: record.runId }));
      expect(v.verdict, `${record.runId}: ${verdictLine(v)}`).toBe('normal');
    }
    const pinned = verdictOfLast(history, key, { pinned: nightId(0) });
    expect(pinned.verdict).toBe('regression');
    expect(pinned.changePercent).toBeCloseTo(19, 0);
  });

  it('too little history: fewer than 3 comparable earlier runs is "no baseline yet"', async () => {
    const { history, key } = await historyOf({ values: [8.1, 8.2, 9.8] });
    const v = verdictOfLast(history, key);
    expect(v.verdict).toBe('no baseline yet');
    expect(v.changePercent).toBeUndefined();
    expect(verdictLine(v)).toBe(
      'prefix_add_time: 9.8 s, no baseline yet (only 2 comparable earlier run(s), 3 needed)',
    );
    await appendSeries(history, { values: [8.15, 9.8], firstNight: 3 });
    expect(verdictOfLast(history, key).verdict).toBe('regression');
  });

  it('only comparable runs count: another lab or shape is not part of the baseline', async () => {
    const { history, key } = await historyOf({ values: [8.1, 8.1, 9.8] });
    await appendSeries(history, { key: { lab: 'lab-b' }, values: nights(5, 9.8), firstNight: 10 });
    await appendSeries(history, { key: { shape: 'instances=1' }, values: nights(5, 9.8), firstNight: 20 });
    expect(history.comparable(key, nightId(2))).toHaveLength(2);
    expect(verdictOfLast(history, key).verdict).toBe('no baseline yet');
  });

  it('a pinned baseline is that run\'s value; a pinned run without the metric is "no baseline yet"', async () => {
    const { history, key } = await historyOf({ values: [7.0, ...nights(6, 8.1), 8.2] });
    const v = verdictOfLast(history, key, { pinned: nightId(0) });
    if (!v.baseline.found) throw new Error('expected a baseline');
    expect(v.baseline.kind).toBe('pinned');
    expect(v.baseline.value).toBe(7.0);
    expect(v.verdict).toBe('regression');
    expect(verdictLine(v)).toMatch(/above baseline 7 s \(run night-01, noise ±/);

    await appendSeries(history, { key: { metric: 'prefix_delete_time' }, values: [1, 1, 1], firstNight: 30 });
    const missing = verdictOfLast(history, key, { pinned: nightId(30) });
    expect(missing.verdict).toBe('no baseline yet');
    expect(verdictLine(missing)).toContain('pinned run night-31 has no prefix_add_time of this shape');
  });

  it('without `before`, the baseline is over the latest runs: for a run not yet in the history', async () => {
    const { history, key } = await historyOf({ values: nights(9, 8.1) });
    const b = baseline(history, key);
    if (!b.found) throw new Error('expected a baseline');
    expect(b.runIds).toEqual([2, 3, 4, 5, 6, 7, 8].map(nightId));
    expect(b.value).toBeCloseTo(8.1, 1);
    expect(() => baseline(history, key, { window: 0 })).toThrow('baseline window: expected a whole number');
  });
});
