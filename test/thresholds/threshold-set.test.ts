import { describe, expect, it } from 'vitest';
import type { Measurements } from '../../lib/thresholds/metric-catalogue.ts';
import { ThresholdSet, thresholdEnvVar } from '../../lib/thresholds/threshold-set.ts';
import { ThresholdError } from '../../lib/thresholds/threshold.ts';

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

  it('"off" removes a threshold', () => {
    const set = ThresholdSet.from({
      defaults,
      file: { path: 's.yaml', thresholds: { updates_per_second: 'off' } },
      env: { NETSCALE_THRESHOLD_CPU_PEAK: 'OFF' },
    });
    expect(set.metrics()).toEqual(['prefix_add_time']);
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

/** The ThresholdError thrown by fn, for assertions on its text. */
function thrown(fn: () => unknown): ThresholdError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ThresholdError) return e;
    throw e;
  }
  throw new Error('expected a ThresholdError, nothing was thrown');
}

describe('ThresholdSet: every catalogue metric, and nothing else', () => {
  it('takes a scenario threshold for a metric the defaults do not list, and checks it', () => {
    const set = ThresholdSet.from({
      defaults: { prefix_add_time: '< 30s' },
      file: { path: 'scenarios/cpu-runs.yaml', thresholds: { rss_peak: '<= 1KB' } },
    });
    expect(set.get('rss_peak')).toMatchObject({
      op: '<=',
      value: 1000,
      unit: 'B',
      source: 'scenario file scenarios/cpu-runs.yaml, key thresholds.rss_peak',
    });
    const measured: Measurements = {
      prefix_add_time: { value: 12, unit: 's', resolution: 0.05 },
      rss_peak: { value: 2048, unit: 'B' },
    };
    const report = set.checkAll(measured);
    expect(report.failures.map((f) => f.metric)).toEqual(['rss_peak']);
    expect(report.message).toContain('rss_peak: measured 2.048 KB is not <= 1 KB');
  });

  it('takes an env threshold for a metric neither defaults nor file list', () => {
    const set = ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_RECONNECT_TIME: '< 5s' } });
    expect(set.get('reconnect_time')).toMatchObject({
      value: 5,
      source: 'env NETSCALE_THRESHOLD_RECONNECT_TIME',
    });
  });

  it('rejects an unknown metric in the scenario file, naming file, key and the known metrics', () => {
    const err = thrown(() =>
      ThresholdSet.from({
        defaults,
        file: { path: 'scenarios/route-scale.yaml', thresholds: { prefix_add_tmie: '< 20s' } },
      }),
    );
    expect(err.source).toBe('scenario file scenarios/route-scale.yaml, key thresholds.prefix_add_tmie');
    expect(err.message).toMatch(
      /^scenario file scenarios\/route-scale\.yaml, key thresholds\.prefix_add_tmie: "prefix_add_tmie" is no metric/,
    );
    expect(err.message).toContain('known bgp metrics: peers_first_up_time, peers_up_time,');
    expect(err.message).toContain('prefix_add_time');
    expect(err.message).toContain('rss_peak');
    expect(err.message).not.toContain('frame_loss');
  });

  it('uses the file key in the message when the thresholds sit under another key', () => {
    const err = thrown(() =>
      ThresholdSet.from({
        defaults,
        file: { path: 's.yaml', key: 'iterations[0].thresholds', thresholds: { nope: '< 1s' } },
      }),
    );
    expect(err.source).toBe('scenario file s.yaml, key iterations[0].thresholds.nope');
  });

  it('rejects a metric of the other domain in the scenario file: it would never be measured', () => {
    const err = thrown(() =>
      ThresholdSet.from({ defaults, file: { path: 'flap.yaml', thresholds: { frame_loss: '<= 0%' } } }),
    );
    expect(err.message).toMatch(
      /^scenario file flap\.yaml, key thresholds\.frame_loss: frame_loss is a throughput metric, never measured by a bgp scenario \(known bgp metrics: /,
    );
    const back = thrown(() =>
      ThresholdSet.from({
        domain: 'throughput',
        defaults: {},
        file: { path: 'rfc2544.yaml', thresholds: { prefix_add_time: '< 1s' } },
      }),
    );
    expect(back.message).toMatch(/prefix_add_time is a bgp metric, never measured by a throughput scenario/);
    expect(back.message).toContain('known throughput metrics: frame_loss, throughput_rx_percent,');
  });

  it('rejects an unknown metric in the defaults too (defaults built as a plain string map)', () => {
    const fromCode: Record<string, string> = { ...defaults, cpu_peek: '<= 80%' };
    const err = thrown(() => ThresholdSet.from({ defaults: fromCode }));
    expect(err.message).toMatch(/^default: "cpu_peek" is no metric \(known bgp metrics: /);
  });

  it('rejects an env var naming no metric, naming the var and the known metrics of both domains', () => {
    const err = thrown(() =>
      ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_NO_SUCH_METRIC: '< 1s' } }),
    );
    expect(err.source).toBe('env NETSCALE_THRESHOLD_NO_SUCH_METRIC');
    expect(err.message).toMatch(/^env NETSCALE_THRESHOLD_NO_SUCH_METRIC: names no metric/);
    expect(err.message).toContain('known bgp metrics: peers_first_up_time,');
    expect(err.message).toContain('known throughput metrics: frame_loss,');
    // A typo of a real name is not matched loosely.
    expect(() =>
      ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_PREFIX_ADD_TMIE: '< 1s' } }),
    ).toThrow(/^env NETSCALE_THRESHOLD_PREFIX_ADD_TMIE: names no metric/);
    // An unset variable is no override.
    expect(
      ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_NO_SUCH_METRIC: undefined } }).metrics(),
    ).toHaveLength(3);
  });

  it('ignores an env var of the other domain: one environment serves both kinds of scenario', () => {
    const env = { NETSCALE_THRESHOLD_FRAME_LOSS: '<= 0%', NETSCALE_THRESHOLD_PREFIX_ADD_TIME: '< 5s' };
    const bgp = ThresholdSet.from({ defaults, env });
    expect(bgp.get('frame_loss')).toBeUndefined();
    expect(bgp.metrics().sort()).toEqual(['cpu_peak', 'prefix_add_time', 'updates_per_second']);
    expect(bgp.get('prefix_add_time')?.value).toBe(5);

    const throughput = ThresholdSet.from({
      domain: 'throughput',
      defaults: { frame_loss: '<= 0.001%' },
      env,
    });
    expect(throughput.metrics()).toEqual(['frame_loss']);
    expect(throughput.get('frame_loss')).toMatchObject({
      value: 0,
      source: 'env NETSCALE_THRESHOLD_FRAME_LOSS',
    });
  });

  it('rejects a limit in another unit than the metric is measured in', () => {
    const err = thrown(() =>
      ThresholdSet.from({ defaults, file: { path: 's.yaml', thresholds: { cpu_peak: '<= 80' } } }),
    );
    expect(err.message).toBe(
      'scenario file s.yaml, key thresholds.cpu_peak: cpu_peak is measured in %: expected a limit in % like "<= 80%", found "<= 80"',
    );
    expect(() => ThresholdSet.from({ defaults, env: { NETSCALE_THRESHOLD_RSS_PEAK: '< 30s' } })).toThrow(
      /^env NETSCALE_THRESHOLD_RSS_PEAK: rss_peak is measured in B: expected a limit in B/,
    );
    expect(() => ThresholdSet.from({ defaults }).with('throughput_rx_mbps', '>= 9000/s')).toThrow(
      /throughput_rx_mbps is measured in bit\/s/,
    );
  });

  it('with() adds a catalogue metric', () => {
    const set = ThresholdSet.from({ defaults }).with('peers_up_time', '< 10s');
    expect(set.get('peers_up_time')).toMatchObject({ value: 10, source: 'code' });
    expect(set.metrics()).toHaveLength(4);
  });
});
