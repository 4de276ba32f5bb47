/**
 * Turns a parsed MoonGen report into rates: fps, Mbps with L1 overhead and %
 * of line rate, per direction and in total (vsperf's formulas, for any of
 * the 1/10/25/40/100 G link speeds instead of 10 G only).
 */
import { lineRateFps, mppsToL1Mbps } from '../line-rate.ts';
import { MoonGenLogError, type MoonGenDirectionReport, type MoonGenLog } from './log-parser.ts';
import type { DirectionResult, TrafficResult } from '../traffic-generator.ts';

/** A direction's report line plus the rates derived from it. */
export interface DirectionMetrics extends MoonGenDirectionReport, DirectionResult {}

/** The generator-neutral result fields (without latency and logs) plus MoonGen's own Mpps figures. */
export interface MoonGenMetrics extends Omit<TrafficResult, 'latencyNs' | 'logs' | 'directions'> {
  txMpps: number | null;
  rxMpps: number;
  directions: DirectionMetrics[];
}

export function moonGenMetrics(
  log: MoonGenLog,
  opts: { linkGbps: number; frameSize?: number; source?: string },
): MoonGenMetrics {
  const source = opts.source ?? 'MoonGen log';
  const frameSize = opts.frameSize ?? log.parameters?.frameSize;
  if (frameSize === undefined || !(frameSize >= 64)) {
    throw new MoonGenLogError(
      source,
      `frame size unknown: expected a "[PARAMETERS] ... frameSize: N" line or a given frame size, found ${
        frameSize === undefined ? 'neither' : `frameSize ${frameSize}`
      }`,
    );
  }
  const streams = log.directions.length;
  if (streams === 0) {
    throw new MoonGenLogError(
      source,
      'no "[REPORT]Device a->b: ..." lines: cannot tell how many streams ran',
    );
  }
  const lineFps = lineRateFps(opts.linkGbps, frameSize);
  const pct = (fps: number, n: number) => (100 * fps) / (n * lineFps);
  const t = log.total;
  const txFps = t.txMpps === null ? null : t.txMpps * 1e6;
  return {
    frameSize,
    linkGbps: opts.linkGbps,
    streams,
    txFrames: t.txFrames,
    rxFrames: t.rxFrames,
    lossFrames: t.lossFrames,
    lossPct: t.lossPct,
    txMpps: t.txMpps,
    rxMpps: t.rxMpps,
    txFps,
    rxFps: t.rxMpps * 1e6,
    txMbps: t.txMpps === null ? null : mppsToL1Mbps(t.txMpps, frameSize),
    rxMbps: mppsToL1Mbps(t.rxMpps, frameSize),
    txPctLineRate: txFps === null ? null : pct(txFps, streams),
    rxPctLineRate: pct(t.rxMpps * 1e6, streams),
    directions: log.directions.map((d) => ({
      ...d,
      rxFps: d.rxMpps * 1e6,
      rxMbps: mppsToL1Mbps(d.rxMpps, frameSize),
      rxPctLineRate: pct(d.rxMpps * 1e6, 1),
    })),
  };
}

/** The stable JSON shape of `netscale moongen parse --json`. */
export function moonGenSummaryJson(m: MoonGenMetrics) {
  return {
    frameSize: m.frameSize,
    streams: m.streams,
    txFrames: m.txFrames,
    rxFrames: m.rxFrames,
    lossFrames: m.lossFrames,
    lossPct: m.lossPct,
    txMpps: m.txMpps,
    rxMpps: m.rxMpps,
    rxFps: m.rxFps,
    rxMbps: m.rxMbps,
    rxPctLineRate: m.rxPctLineRate,
    directions: m.directions.map((d) => ({
      from: d.from,
      to: d.to,
      txFrames: d.txFrames,
      rxFrames: d.rxFrames,
      lossFrames: d.lossFrames,
      lossPct: d.lossPct,
      rxMpps: d.rxMpps,
    })),
  };
}
