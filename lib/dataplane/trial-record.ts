/**
 * A trial as it happened on the data plane (what was offered, achieved and counted per direction), and
 * the vsperf-shaped TrafficResult made from it. Rates are the senders' own: frames over their send time.
 * tx per direction is what the judged direction says the search should compare (offered-rate.ts).
 */
import { lineRateFps, mppsToL1Mbps } from '../trafficgen/line-rate.ts';
import { lossPct } from '../trafficgen/search/trial.ts';
import type { DirectionResult, TrafficResult } from '../trafficgen/traffic-generator.ts';
import type { LinkCounters, QdiscCounters } from './interface-counters.ts';
import type { LatencyMeasurement } from './latency-receivers.ts';
import type { JudgedDirection } from './offered-rate.ts';

export interface NetnsTrialRecord {
  index: number;
  label: string;
  frameSize: number;
  offeredFps: number;
  durationS: number;
  directions: Array<{
    from: string;
    to: string;
    sent: number;
    elapsedS: number;
    received: number;
    judged: JudgedDirection;
    txCounter: LinkCounters;
    rxCounter: LinkCounters;
  }>;
  qdiscs: Record<string, QdiscCounters>;
  latency: LatencyMeasurement | null;
}

/** The result, and the tx/rx of the direction that lost most (what the searches judge a trial by). */
export function trafficResultOf(
  record: NetnsTrialRecord,
  linkGbps: number,
): { result: TrafficResult; worst: { tx: number; rx: number } } {
  const size = record.frameSize;
  const line = lineRateFps(linkGbps, size);
  const l1 = (f: number) => mppsToL1Mbps(f / 1e6, size);
  const directions: DirectionResult[] = record.directions.map((r, i) => {
    const rxFps = r.elapsedS > 0 ? r.received / r.elapsedS : 0;
    return {
      from: i,
      to: 1 - i,
      txFrames: r.judged.tx,
      rxFrames: r.received,
      lossFrames: r.judged.tx - r.received,
      lossPct: lossPct({ tx: r.judged.tx, rx: r.received }),
      rxFps,
      rxMbps: l1(rxFps),
      rxPctLineRate: (100 * rxFps) / line,
    };
  });
  const sum = (f: (d: DirectionResult) => number) => directions.reduce((s, d) => s + f(d), 0);
  const txFps = record.directions.reduce((s, r) => s + r.judged.achievedFps, 0);
  const rxFps = sum((d) => d.rxFps);
  const streams = directions.length;
  const result: TrafficResult = {
    frameSize: size,
    linkGbps,
    streams,
    txFrames: record.directions.reduce((s, r) => s + r.sent, 0),
    rxFrames: sum((d) => d.rxFrames),
    lossFrames: sum((d) => d.lossFrames),
    lossPct: lossPct({ tx: sum((d) => d.txFrames), rx: sum((d) => d.rxFrames) }),
    txFps,
    rxFps,
    txMbps: l1(txFps),
    rxMbps: l1(rxFps),
    txPctLineRate: (100 * txFps) / (streams * line),
    rxPctLineRate: (100 * rxFps) / (streams * line),
    latencyNs: record.latency?.ns ?? null,
    directions,
    logs: { [`netns-trial-${record.index}.json`]: JSON.stringify(record, null, 2) },
  };
  const w = directions.reduce((a, b) => (b.lossPct > a.lossPct ? b : a));
  return { result, worst: { tx: w.txFrames, rx: w.rxFrames } };
}
