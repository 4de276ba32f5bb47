/**
 * Every metric netscale measures, in one place: its unit, which way is better, which kind of scenario
 * measures it, and what it means. Thresholds, reports and history key on these names.
 *
 * API:
 * - `METRICS`: { name: { unit, direction, domain, description } } (`as const`).
 * - `MetricName`: the union of the catalogue's names; `MetricDomain`: 'bgp' | 'throughput';
 *   `MetricDirection`: 'lower-is-better' | 'higher-is-better'.
 * - `isMetricName(text)`, `metricInfo(name)` -> MetricInfo {name, unit, ...}, `metricNames(domain?)`.
 * - `MeasuredValue` {value, unit, resolution?} (base units, see quantity.ts) and
 *   `Measurements` = { metric: MeasuredValue } for the metrics one run measured.
 *
 * Values are always in base units, whatever the metric's name says: throughput_rx_mbps is bit/s,
 * throughput_mpps is frames/s, latency_* is seconds (vsperf's keys name the units it reports in).
 */
import type { BaseUnit } from './quantity.ts';

export type MetricDomain = 'bgp' | 'throughput';
export type MetricDirection = 'lower-is-better' | 'higher-is-better';

export interface MetricDefinition {
  unit: BaseUnit;
  direction: MetricDirection;
  domain: MetricDomain;
  /** One line: what is measured, from what to what. */
  description: string;
}

export const METRICS = {
  // BGP scale (one iteration of a scenario).
  peers_first_up_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'start of bring-up -> first peer Established',
  },
  peers_up_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'start of bring-up -> all peers Established',
  },
  peers_per_second: {
    unit: '/s',
    direction: 'higher-is-better',
    domain: 'bgp',
    description: 'peers / peers_up_time',
  },
  peer_avg_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'peers_up_time / peers (wall-clock average per peer)',
  },
  prefix_add_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'route feed start (else add trigger) -> all prefixes in and nothing pending',
  },
  prefixes_per_second: {
    unit: '/s',
    direction: 'higher-is-better',
    domain: 'bgp',
    description: 'prefixes / prefix_add_time',
  },
  updates_per_second: {
    unit: '/s',
    direction: 'higher-is-better',
    domain: 'bgp',
    description: 'prefixes x agents / prefix_add_time',
  },
  prefix_avg_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'prefix_add_time / prefixes',
  },
  update_avg_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'prefix_add_time / updates',
  },
  router_routes_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: "add trigger -> the router's routeTable holds the added routes",
  },
  prefix_delete_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'withdrawal trigger -> no prefixes left',
  },
  reconvergence_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'worst flap: peers reconnect -> all prefixes back',
  },
  reconnect_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'worst flap: sessions down -> all peers up again',
  },
  churn_withdraw_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'worst churn round: a share of the prefixes withdrawn -> gone from the device',
  },
  churn_announce_time: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'worst churn round: the same share announced again -> every prefix back',
  },
  cpu_peak: {
    unit: '%',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'highest CPU of the control node over the iteration (100% = one core)',
  },
  cpu_avg: {
    unit: '%',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'mean CPU of the control node over the iteration (100% = one core)',
  },
  cpu_at_peak_load: {
    unit: '%',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'CPU of the control node when all routes were in',
  },
  rss_peak: {
    unit: 'B',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'highest resident memory of the control node over the iteration',
  },
  rss_at_cpu_peak: {
    unit: 'B',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'resident memory of the control node at its CPU peak (the reading nearest cpu_peak)',
  },
  test_server_cpu_peak: {
    unit: '%',
    direction: 'lower-is-better',
    domain: 'bgp',
    description:
      'highest host-total CPU of any test server over the iteration (100% = one core; all cores busy = cores x 100%)',
  },
  test_server_mem_peak: {
    unit: 'B',
    direction: 'lower-is-better',
    domain: 'bgp',
    description: 'highest memory used (MemTotal - MemAvailable) of any test server over the iteration',
  },

  // Throughput (one trial or search result of a traffic generator).
  frame_loss: {
    unit: '%',
    direction: 'lower-is-better',
    domain: 'throughput',
    description: 'frames sent but not received, % of frames sent',
  },
  throughput_rx_percent: {
    unit: '%',
    direction: 'higher-is-better',
    domain: 'throughput',
    description: 'received rate, % of line rate',
  },
  throughput_rx_fps: {
    unit: '/s',
    direction: 'higher-is-better',
    domain: 'throughput',
    description: 'received frames per second',
  },
  throughput_rx_mbps: {
    unit: 'bit/s',
    direction: 'higher-is-better',
    domain: 'throughput',
    description: 'received bit rate (value in bit/s; vsperf reports it in Mbit/s)',
  },
  throughput_mpps: {
    unit: '/s',
    direction: 'higher-is-better',
    domain: 'throughput',
    description: 'highest rate that met the loss goal (value in frames/s; the generator reports Mpps)',
  },
  latency_avg: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'throughput',
    description: 'mean frame latency',
  },
  latency_max: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'throughput',
    description: 'highest frame latency',
  },
  latency_min: {
    unit: 's',
    direction: 'lower-is-better',
    domain: 'throughput',
    description: 'lowest frame latency',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export interface MetricInfo extends MetricDefinition {
  name: MetricName;
}

export interface MeasuredValue {
  /** In the metric's base unit (s, %, count, /s, bit/s, B). */
  value: number;
  unit: BaseUnit;
  /** Uncertainty of value, same unit; e.g. a milestone's sampling bracket. */
  resolution?: number;
}

export type Measurements = Partial<Record<MetricName, MeasuredValue>>;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function metricInfo(name: MetricName): MetricInfo {
  return { name, ...METRICS[name] };
}

/** Catalogue names in catalogue order, of one domain or all. */
export function metricNames(domain?: MetricDomain): MetricName[] {
  const all = Object.keys(METRICS) as MetricName[];
  return domain === undefined ? all : all.filter((name) => METRICS[name].domain === domain);
}
