import { describe, expect, it } from 'vitest';
import {
  METRICS,
  type MetricDomain,
  type MetricName,
  isMetricName,
  metricInfo,
  metricNames,
} from '../../lib/thresholds/metric-catalogue.ts';
import type { BaseUnit } from '../../lib/thresholds/quantity.ts';
import { ThresholdSet, thresholdEnvVar } from '../../lib/thresholds/threshold-set.ts';

// The figures lib/scale/iteration-metrics.ts computes for one iteration, with the unit it gives each
// (written out here: the catalogue must not be checked against itself).
const BGP_ITERATION_METRICS: Record<string, BaseUnit> = {
  peers_first_up_time: 's',
  peers_up_time: 's',
  peers_per_second: '/s',
  peer_avg_time: 's',
  prefix_add_time: 's',
  prefixes_per_second: '/s',
  updates_per_second: '/s',
  prefix_avg_time: 's',
  update_avg_time: 's',
  router_routes_time: 's',
  prefix_delete_time: 's',
  reconvergence_time: 's',
  churn_withdraw_time: 's',
  churn_announce_time: 's',
  cpu_peak: '%',
  cpu_avg: '%',
  cpu_at_peak_load: '%',
  rss_peak: 'B',
  rss_at_cpu_peak: 'B',
  test_server_cpu_peak: '%',
  test_server_mem_peak: 'B',
};

const THROUGHPUT_METRICS = [
  'frame_loss',
  'throughput_rx_percent',
  'throughput_rx_fps',
  'throughput_rx_mbps',
  'throughput_mpps',
  'latency_avg',
  'latency_max',
  'latency_min',
];

// A limit in each base unit, to give every metric a threshold.
const LIMIT: Record<BaseUnit, string> = {
  s: '< 30s',
  '%': '<= 80%',
  count: '>= 1',
  '/s': '>= 1k/s',
  'bit/s': '>= 100Mbit/s',
  B: '<= 1GiB',
};

describe('metric catalogue', () => {
  it('lists every metric a BGP iteration computes, in the unit it is computed in', () => {
    for (const [name, unit] of Object.entries(BGP_ITERATION_METRICS)) {
      expect(isMetricName(name), name).toBe(true);
      expect(metricInfo(name as MetricName), name).toMatchObject({ name, unit, domain: 'bgp' });
    }
    expect(metricInfo('reconnect_time')).toMatchObject({ unit: 's', domain: 'bgp' });
    expect(metricNames('bgp').sort()).toEqual(
      [...Object.keys(BGP_ITERATION_METRICS), 'reconnect_time'].sort(),
    );
  });

  it('has exactly the throughput metrics, with values in base units', () => {
    expect(metricNames('throughput')).toEqual(THROUGHPUT_METRICS);
    const units = Object.fromEntries(THROUGHPUT_METRICS.map((m) => [m, metricInfo(m as MetricName).unit]));
    expect(units).toEqual({
      frame_loss: '%',
      throughput_rx_percent: '%',
      throughput_rx_fps: '/s',
      throughput_rx_mbps: 'bit/s',
      throughput_mpps: '/s',
      latency_avg: 's',
      latency_max: 's',
      latency_min: 's',
    });
  });

  it('says lower is better for every time, latency, loss and resource use; higher for every rate', () => {
    const names = metricNames();
    const times = names.filter((m) => m.endsWith('_time'));
    const rates = names.filter((m) => m.endsWith('_per_second'));
    expect(times).toEqual([
      'peers_first_up_time',
      'peers_up_time',
      'peer_avg_time',
      'prefix_add_time',
      'prefix_avg_time',
      'update_avg_time',
      'router_routes_time',
      'prefix_delete_time',
      'reconvergence_time',
      'reconnect_time',
      'churn_withdraw_time',
      'churn_announce_time',
    ]);
    expect(rates).toEqual(['peers_per_second', 'prefixes_per_second', 'updates_per_second']);
    for (const m of times) expect(METRICS[m].direction, m).toBe('lower-is-better');
    for (const m of rates) expect(METRICS[m].direction, m).toBe('higher-is-better');
    for (const m of ['cpu_peak', 'cpu_avg', 'cpu_at_peak_load', 'rss_peak', 'frame_loss'] as const) {
      expect(METRICS[m].direction, m).toBe('lower-is-better');
    }
    for (const m of names.filter((n) => n.startsWith('latency_'))) {
      expect(METRICS[m].direction, m).toBe('lower-is-better');
    }
    for (const m of names.filter((n) => n.startsWith('throughput_'))) {
      expect(METRICS[m].direction, m).toBe('higher-is-better');
    }
  });

  it('describes every metric in one line', () => {
    for (const m of metricNames()) {
      expect(METRICS[m].description.trim(), m).not.toBe('');
      expect(METRICS[m].description, m).not.toContain('\n');
    }
  });

  it('recognises only its own names', () => {
    expect(isMetricName('prefix_add_time')).toBe(true);
    expect(isMetricName('prefix_add_tmie')).toBe(false);
    expect(isMetricName('PREFIX_ADD_TIME')).toBe(false);
    expect(isMetricName('toString')).toBe(false);
    expect(isMetricName('__proto__')).toBe(false);
    expect(isMetricName('frame_loss_percent')).toBe(false);
  });

  it('gives every metric its own env var', () => {
    const vars = metricNames().map(thresholdEnvVar);
    expect(new Set(vars).size).toBe(vars.length);
  });

  it.each<MetricDomain>(['bgp', 'throughput'])(
    'lets every %s metric have a threshold from the scenario file or the env',
    (domain) => {
      for (const m of metricNames(domain)) {
        const limit = LIMIT[METRICS[m].unit];
        const fromFile = ThresholdSet.from({
          domain,
          defaults: {},
          file: { path: 's.yaml', thresholds: { [m]: limit } },
        });
        expect(fromFile.metrics(), m).toEqual([m]);
        const fromEnv = ThresholdSet.from({ domain, defaults: {}, env: { [thresholdEnvVar(m)]: limit } });
        expect(fromEnv.get(m)?.source, m).toBe(`env ${thresholdEnvVar(m)}`);
      }
    },
  );
});
