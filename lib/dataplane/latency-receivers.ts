/**
 * Latency receivers (sender/latency-receiver.py), one in each receiving namespace for the length of a
 * trial: each takes the kernel receive time of the probes in the stream and reports, when stopped,
 * count and min/avg/max latency. Started and stopped side by side: each costs a Python start.
 */
import type { Host, ProcessHandle } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { LatencyNs } from '../trafficgen/traffic-generator.ts';
import { DataplaneError, inNs, waitForLine, type Endpoint } from './netns-dataplane.ts';

export interface LatencyMeasurement {
  probes: number;
  /** null: no probe arrived, latency not measured. */
  ns: LatencyNs | null;
}

const READY_MS = 10_000;

export async function startLatencyReceivers(
  host: Host,
  receiver: string,
  ends: readonly Endpoint[],
  port: number,
): Promise<ProcessHandle[]> {
  const started = await Promise.allSettled(
    ends.map(async (end) => {
      const cmd = inNs(end.ns, ['python3', '-u', receiver, end.ip, String(port)].map(shellQuote).join(' '));
      const h = await host.spawn(cmd, { name: `latency-receiver ${end.ns}` });
      try {
        await waitForLine(h, 'ready', READY_MS);
      } catch (err) {
        await h.stop({ graceMs: 1000 });
        throw err;
      }
      return h;
    }),
  );
  const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(handles.map((h) => h.stop({ graceMs: 1000 })));
    throw failed.reason;
  }
  return handles;
}

/** TERMs the receivers (each then prints its report) and merges their reports. */
export async function stopLatencyReceivers(handles: readonly ProcessHandle[]): Promise<LatencyMeasurement> {
  await Promise.all(handles.map((h) => h.stop({ graceMs: 3000 })));
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const h of handles) {
    const line = h
      .output()
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    if (!line) throw new DataplaneError(`${h.host}: ${h.name} printed no report: ${h.output().slice(-300)}`);
    const r = JSON.parse(line) as {
      count: number;
      minNs: number | null;
      avgNs: number | null;
      maxNs: number | null;
    };
    if (r.count === 0) continue;
    n += r.count;
    sum += r.avgNs! * r.count;
    min = Math.min(min, r.minNs!);
    max = Math.max(max, r.maxNs!);
  }
  return { probes: n, ns: n > 0 ? { min, avg: sum / n, max } : null };
}
