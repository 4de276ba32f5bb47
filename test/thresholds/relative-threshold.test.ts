import { describe, expect, it } from 'vitest';
import { evaluateThreshold, parseThreshold, ThresholdError } from '../../lib/thresholds/threshold.ts';
import { checkAll, ThresholdSet } from '../../lib/thresholds/threshold-set.ts';

const baseline = { value: 8.1, what: 'median of 7 runs', noise: 0.243 };

describe('thresholds relative to the history baseline', () => {
  it('parses "< baseline + 10%", "> baseline - 5%" and "<= baseline" in the metric unit', () => {
    expect(parseThreshold('prefix_add_time', '< baseline + 10%')).toMatchObject({
      op: '<',
      unit: 's',
      relative: { pct: 10 },
    });
    expect(parseThreshold('prefixes_per_second', '> baseline - 5%')).toMatchObject({
      op: '>',
      unit: '/s',
      relative: { pct: -5 },
    });
    expect(parseThreshold('prefix_add_time', '<= baseline').relative).toEqual({ pct: 0 });
    expect(() => parseThreshold('prefix_add_time', '< baseline * 2')).toThrow(ThresholdError);
  });

  it('fails above the limit, naming the value, its resolution, the change and the baseline with its noise', () => {
    const t = parseThreshold('prefix_add_time', '< baseline + 10%');
    const r = evaluateThreshold(t, { value: 9.8, unit: 's', resolution: 0.05 }, baseline);
    expect(r.pass).toBe(false);
    expect(r.limit).toBeCloseTo(8.91, 6);
    expect(r.message).toBe(
      'prefix_add_time: 9.8 s (±0.05 s) is 21 % above baseline 8.1 s (median of 7 runs, noise ±3 %)',
    );
    expect(evaluateThreshold(t, { value: 8.5, unit: 's' }, baseline).pass).toBe(true);
  });

  it('a rate may not fall more than allowed: direction comes from the operator', () => {
    const t = parseThreshold('prefixes_per_second', '> baseline - 5%');
    const b = { value: 1000, what: 'run r7', noise: 10 };
    expect(evaluateThreshold(t, { value: 960, unit: '/s' }, b).pass).toBe(true);
    expect(evaluateThreshold(t, { value: 940, unit: '/s' }, b).pass).toBe(false);
  });

  it('without a baseline (no history yet) it is a note, never a failure', () => {
    const set = ThresholdSet.from({
      defaults: {},
      env: { NETSCALE_THRESHOLD_PREFIX_ADD_TIME: '< baseline + 10%' },
    });
    const report = checkAll(set.list(), { prefix_add_time: { value: 99, unit: 's' } });
    expect(report.pass).toBe(true);
    expect(report.results[0]).toMatchObject({ pass: true, note: 'no baseline yet' });
    const withBaseline = checkAll(set.list(), { prefix_add_time: { value: 99, unit: 's' } }, () => baseline);
    expect(withBaseline.pass).toBe(false);
    // Nothing measured is still a failure.
    expect(checkAll(set.list(), {}).pass).toBe(false);
  });
});
