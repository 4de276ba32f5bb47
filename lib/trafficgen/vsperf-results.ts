/** Results under vsperf's keys (core/results/results_constants.py), so existing dashboards read ours. */
import type { TrafficResult } from './traffic-generator.ts';

export const VSPERF_THROUGHPUT_KEYS = [
  'tx_rate_fps',
  'throughput_rx_fps',
  'tx_rate_mbps',
  'throughput_rx_mbps',
  'tx_rate_percent',
  'throughput_rx_percent',
  'min_latency_ns',
  'max_latency_ns',
  'avg_latency_ns',
  'frame_loss_percent',
] as const;

export const VSPERF_B2B_KEYS = [
  'b2b_rx_fps',
  'b2b_tx_fps',
  'b2b_rx_percent',
  'b2b_tx_percent',
  'b2b_tx_count',
  'b2b_frames',
  'b2b_frame_loss_frames',
  'b2b_frame_loss_percent',
] as const;

export type VsperfThroughputKey = (typeof VSPERF_THROUGHPUT_KEYS)[number];
export type VsperfB2bKey = (typeof VSPERF_B2B_KEYS)[number];
/** A throughput result under vsperf's keys. */
export type VsperfThroughput = Record<VsperfThroughputKey, number>;
/** A back-to-back result under vsperf's keys. */
export type VsperfB2b = Record<VsperfB2bKey, number>;

/** A missing value is NaN (shown as empty in CSV), never 0: vsperf's zeros hid failures. */
export function vsperfThroughput(r: TrafficResult | null): VsperfThroughput {
  return {
    tx_rate_fps: r?.txFps ?? NaN,
    throughput_rx_fps: r?.rxFps ?? NaN,
    tx_rate_mbps: r?.txMbps ?? NaN,
    throughput_rx_mbps: r?.rxMbps ?? NaN,
    tx_rate_percent: r?.txPctLineRate ?? NaN,
    throughput_rx_percent: r?.rxPctLineRate ?? NaN,
    min_latency_ns: r?.latencyNs?.min ?? NaN,
    max_latency_ns: r?.latencyNs?.max ?? NaN,
    avg_latency_ns: r?.latencyNs?.avg ?? NaN,
    frame_loss_percent: r?.lossPct ?? NaN,
  };
}

/** Per key, the mean over rows (NaN when any row lacks the value). */
export function averageResults<K extends string>(rows: Array<Record<K, number>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(rows[0] ?? {}) as K[]) {
    out[key] = rows.reduce((s, r) => s + (r[key] ?? NaN), 0) / rows.length;
  }
  return out;
}
