import { describe, expect, it } from 'vitest';
import { ThresholdSet, thresholdEnvVar } from '../../lib/thresholds/threshold-set.ts';

const defaults = { prefix_add_time: '< 30s', cpu_peak: '<= 80%', updates_per_second: '>= 1000/s' };

describe('ThresholdSet', () => {
  it('layers defaults < scenario file < env and records each source', () => {
    const set = ThresholdSet.from({
      defaults,
      file: {
        path: 'suites/bgp/route-scale.yaml',
        thresholds: { prefix_add_time: '< 20s', rss_peak: '<= 2GiB' },
      },
      env: { NETSCALE_THRESHOLD_CPU_PEAK: '<= 90%', PATH: '/bin' },
    });
    expect(set.metrics().sort()).toEqual(['cpu_peak', 'prefix_add_time', 'rss_peak', 'updates_per_second']);
    expect(set.get('prefix_add_time')).toMatchObject({
      value: 20,
      source: 'scenario file suites/bgp/route-scale.yaml, key thresholds.prefix_add_time',
    });
    expect(set.get('cpu_peak')).toMatchObject({ value: 90, source: 'env NETSCALE_THRESHOLD_CPU_PEAK' });
    expect(set.get('updates_per_second')?.source).toBe('default');
    expect(set.warnings).toEqual([]);
  });

  it('names the file and key of a bad expression', () => {
    expect(() =>
      ThresholdSet.from({ defaults, file: { path: 's.yaml', thresholds: { cpu_peak: 'eighty percent' } } }),
    ).toThrow(/^scenario file s\.yaml, key thresholds\.cpu_peak: expected "<op> <limit>".*"eighty percent"/);
    expect(() =>
      ThresholdSet.from({ defaults, file: { path: 's.yaml', thresholds: { cpu_peak: 80 } } }),
    ).toThrow(
      /scenario file s\.yaml, key thresholds\.cpu_peak: expected a threshold expression string.*found number 80/,
    );
    expect(() =>
      ThresholdSet.from({ defaults, file: { path: 's.yaml', thresholds: ['x'] as never } }),
    ).toThrow(/scenario file s\.yaml, key thresholds: expected a map/);
  });

  it('names the env var of a bad expression', () => {
    expect(() =>
      ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_PREFIX_ADD_TIME: '< soon' } }),
    ).toThrow(/^env NETSCALE_THRESHOLD_PREFIX_ADD_TIME: expected a number with a unit/);
  });

  it('warns about env overrides naming no metric, and "off" removes one', () => {
    const set = ThresholdSet.from({
      defaults,
      env: { NETSCALE_THRESHOLD_PREFIX_ADD_TMIE: '< 1s', NETSCALE_THRESHOLD_CPU_PEAK: 'off' },
    });
    expect(set.get('cpu_peak')).toBeUndefined();
    expect(set.get('prefix_add_time')?.value).toBe(30);
    expect(set.warnings).toHaveLength(1);
    expect(set.warnings[0]).toMatch(/NETSCALE_THRESHOLD_PREFIX_ADD_TMIE names no threshold/);
    expect(thresholdEnvVar('prefix-add.time')).toBe('NETSCALE_THRESHOLD_PREFIX_ADD_TIME');
  });

  it('checkAll evaluates everything and reports missing measurements as failures', () => {
    const set = ThresholdSet.from({ defaults });
    const report = set.checkAll({
      prefix_add_time: { value: 41.2, unit: 's', resolution: 0.05 },
      cpu_peak: 50,
    });
    expect(report.pass).toBe(false);
    expect(report.results).toHaveLength(3);
    expect(report.failures.map((f) => f.metric).sort()).toEqual(['prefix_add_time', 'updates_per_second']);
    expect(report.message).toContain('2 of 3 thresholds failed');
    expect(report.message).toContain('prefix_add_time: measured 41.2 s (±0.05 s) is not < 30 s [default]');
    expect(report.message).toContain('updates_per_second: no measurement');

    const ok = set.checkAll({ prefix_add_time: 1, cpu_peak: 1, updates_per_second: 5000 });
    expect(ok).toMatchObject({ pass: true, message: 'all 3 thresholds met' });
  });
});
