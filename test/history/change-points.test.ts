import { afterAll, describe, expect, it } from 'vitest';
import { baseline } from '../../lib/history/baseline.ts';
import { changePoints, stepLine } from '../../lib/history/change-points.ts';
import { HistoryStore } from '../../lib/history/history-store.ts';
import { judge } from '../../lib/history/verdict.ts';
import { appendSeries, nightId, removeTempRoots, tempReportsRoot, wiggled } from './synthetic-history.ts';

afterAll(removeTempRoots);

const nights = (n: number, level: number, from = 0) =>
  Array.from({ length: n }, (_, i) => wiggled(level, from + i));

async function seriesOf(values: readonly number[], dutVersion?: (i: number) => string) {
  const history = await HistoryStore.open(await tempReportsRoot());
  const key = await appendSeries(history, { values, ...(dutVersion ? { dutVersion } : {}) });
  return { history, key, series: history.series(key) };
}

describe('change points', () => {
  it('a step up is one change point at the first run of the new level, with the DUT versions around it', async () => {
    const { series } = await seriesOf([...nights(10, 8.1), ...nights(5, 9.6, 10)], (i) =>
      i < 10 ? '1.0' : '1.1',
    );
    const cp = changePoints(series);
    expect(cp.steps).toHaveLength(1);
    const step = cp.steps[0]!;
    expect(step.runId).toBe(nightId(10));
    expect(step.previousRunId).toBe(nightId(9));
    expect(step.oldLevel).toBeCloseTo(8.1, 1);
    expect(step.newLevel).toBeCloseTo(9.6, 1);
    expect(step.changePercent).toBeCloseTo(18.5, 0);
    expect(stepLine(step)).toBe('prefix_add_time stepped +18 % at run night-11 (dut_version 1.0 → 1.1)');
    expect(cp.segments.map((s) => s.runs)).toEqual([10, 5]);
    expect(cp.outliers).toEqual([]);
  });

  it('a step down with no version change reads without the parenthesis', async () => {
    const { series } = await seriesOf([...nights(10, 8.1), ...nights(4, 6.9, 10)], () => '1.0');
    const cp = changePoints(series);
    expect(cp.steps.map(stepLine)).toEqual(['prefix_add_time stepped -15 % at run night-11']);
  });

  it('a single outlier night is neither a change point nor a regression of the night after it', async () => {
    const values = [...nights(10, 8.1), 14, ...nights(5, 8.1, 11)];
    const { history, key, series } = await seriesOf(values);
    const cp = changePoints(series);
    expect(cp.steps).toEqual([]);
    expect(cp.outliers).toEqual([nightId(10)]);
    expect(cp.segments).toHaveLength(1);
    const after = series[11]!;
    expect(judge(after, baseline(history, key, { before: after.runId })).verdict).toBe('normal');
  });

  it('the newest run alone at a new level is a regression, but not yet a change point', async () => {
    const { history, key, series } = await seriesOf([...nights(10, 8.1), 9.8]);
    expect(changePoints(series).steps).toEqual([]);
    expect(changePoints(series).outliers).toEqual([nightId(10)]);
    const last = series.at(-1)!;
    expect(judge(last, baseline(history, key, { before: last.runId })).verdict).toBe('regression');
    // A second run at that level makes it one.
    await appendSeries(history, { values: [wiggled(9.8, 11)], firstNight: 11 });
    expect(changePoints(history.series(key)).steps.map((s) => s.runId)).toEqual([nightId(10)]);
  });

  it('noise alone has no change points', async () => {
    const { series } = await seriesOf(nights(30, 8.1));
    const cp = changePoints(series);
    expect(cp.steps).toEqual([]);
    expect(cp.outliers).toEqual([]);
  });

  it('slow drift comes out as a staircase of small steps, all in its direction, summing to the drift', async () => {
    // +1 % a night for 20 nights: 8.0 -> 9.52 (+19 %).
    const { series } = await seriesOf(Array.from({ length: 20 }, (_, i) => wiggled(8 * (1 + 0.01 * i), i)));
    const cp = changePoints(series);
    expect(cp.steps.length).toBeGreaterThanOrEqual(2);
    for (const step of cp.steps) {
      expect(step.changePercent!).toBeGreaterThan(0);
      expect(step.changePercent!).toBeLessThan(10);
    }
    const first = cp.segments[0]!.mean;
    const last = cp.segments.at(-1)!.mean;
    const total = cp.steps.reduce((product, s) => product * (1 + s.changePercent! / 100), 1);
    expect(total).toBeCloseTo(last / first, 9);
    expect(last / first).toBeGreaterThan(1.12);
  });

  it('an empty series has nothing to say', () => {
    expect(changePoints([])).toMatchObject({ steps: [], segments: [], outliers: [] });
  });
});
