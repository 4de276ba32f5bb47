/**
 * Latency histograms MoonGen's RFC 2544 scripts save, in both layouts found in the wild. The lines are
 * libmoon's histogram:save(): one "<latency ns>,<count>" per latency seen, in increasing order.
 *
 * - opnfv-vsperf.lua (atheurer/MoonGen examples/): `hist:<from>-<to>.csv`, no header.
 * - trafficgen.lua (atheurer/lua-trafficgen, the script newer vsperf runs):
 *   `latency:histogram_dev:<from>-<to>_rate:<Mpps>.csv` whose first line is
 *   `bucket,Dev:<from>-><to> @ <Mpps> Mpps`. The same run also writes `latency:samples_dev:...csv`
 *   (every sample, "<n>,<latency>"): not a histogram, and never read as one.
 *
 * API:
 * - `latencyHistogramFile(name)` -> {format, from, to, rateMpps?} for a histogram file name, else undefined.
 * - `parseLatencyHistogram(text, file)` -> LatencyHistogram (errors name the file and line).
 * - `latencyOf(histograms, source)` -> {min, avg, max} ns over all of them.
 */
import type { LatencyNs } from '../traffic-generator.ts';
import { MoonGenLogError } from './log-parser.ts';

export type HistogramFormat = 'opnfv-vsperf' | 'trafficgen';

export interface HistogramFileInfo {
  format: HistogramFormat;
  /** DPDK port numbers of the direction. */
  from: number;
  to: number;
  /** trafficgen.lua only: the rate of the trial, Mpps. */
  rateMpps?: number;
}

export interface LatencyHistogram extends HistogramFileInfo {
  file: string;
  /** The header's label, e.g. "Dev:0->1 @ 14.88 Mpps" (trafficgen.lua). */
  label?: string;
  buckets: { ns: number; count: number }[];
}

const OLDER_NAME = /^hist:(\d+)-(\d+)\.csv$/;
const NEWER_NAME = /^latency:histogram_dev:(\d+)-(\d+)_rate:([^/]*)\.csv$/;
const HEADER = /^bucket,(.*)$/;

/** What a file name says about the histogram in it; undefined when it is not a histogram file. */
export function latencyHistogramFile(name: string): HistogramFileInfo | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  let m = OLDER_NAME.exec(base);
  if (m) return { format: 'opnfv-vsperf', from: Number(m[1]), to: Number(m[2]) };
  m = NEWER_NAME.exec(base);
  if (!m) return undefined;
  const rate = Number(m[3]);
  return {
    format: 'trafficgen',
    from: Number(m[1]),
    to: Number(m[2]),
    ...(Number.isFinite(rate) ? { rateMpps: rate } : {}),
  };
}

export function parseLatencyHistogram(text: string, file: string): LatencyHistogram {
  const info = latencyHistogramFile(file);
  if (!info) {
    throw new MoonGenLogError(
      file,
      'not a MoonGen latency histogram name (expected hist:<a>-<b>.csv or latency:histogram_dev:<a>-<b>_rate:<r>.csv)',
    );
  }
  const lines = text.split(/\r?\n/);
  const out: LatencyHistogram = { ...info, file, buckets: [] };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const header = i === 0 ? HEADER.exec(line) : null;
    if (header) {
      out.label = header[1]!.trim();
      return;
    }
    const [ns, count, extra] = line.split(',').map((s) => s.trim());
    const n = Number(ns);
    const c = Number(count);
    if (
      extra !== undefined ||
      ns === '' ||
      count === undefined ||
      !Number.isFinite(n) ||
      !Number.isInteger(c)
    ) {
      throw new MoonGenLogError(
        `${file}:${i + 1}`,
        `expected "<latency ns>,<count>"${i === 0 ? ' or a "bucket,<label>" header' : ''}, found ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    if (c > 0) out.buckets.push({ ns: n, count: c });
  });
  return out;
}

/** Min, count-weighted average and max latency over every histogram given. */
export function latencyOf(histograms: LatencyHistogram[], source: string): LatencyNs {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const h of histograms) {
    for (const { ns, count } of h.buckets) {
      min = Math.min(min, ns);
      max = Math.max(max, ns);
      sum += ns * count;
      n += count;
    }
  }
  if (n === 0) {
    throw new MoonGenLogError(
      source,
      `latency histograms ${histograms.map((h) => h.file).join(', ') || '(none)'} hold no samples`,
    );
  }
  return { min, avg: sum / n, max };
}
