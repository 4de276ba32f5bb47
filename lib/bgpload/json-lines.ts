/**
 * The stdout protocol of the bgp-load and bgp-monitor processes: one JSON object per line, each with
 * `event` and `t` (monotonic ms, comparable across processes on one host), and commands read from
 * stdin one per line.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { monotonicMs } from '../clock.ts';
import type { PeerRecord } from './peer-record.ts';

export type LoadCommand =
  'announce' | 'withdraw' | 'flap' | 'churn-withdraw' | 'churn-announce' | 'records' | 'quit';

/** Every line either process prints. */
export type ProcessEvent =
  | { event: 'connecting'; peers: number; t: number }
  | { event: 'established'; peer: string; t: number }
  | { event: 'ready'; peers: number; t: number; encodeMs?: number }
  | { event: 'done'; cmd: Exclude<LoadCommand, 'records' | 'quit'>; t: number; ms: number }
  | { event: 'records'; records: PeerRecord[]; t: number }
  | { event: 'count'; count: number; t: number }
  /** A probe written (t: just before the write), or why not; never an 'error', which would end a command. */
  | { event: 'probe'; peer: string; seq: number; t: number; failed?: string }
  | { event: 'error'; peer?: string; cmd?: string; message: string; t: number }
  | { event: 'exit'; t: number };

export type EventWriter = (e: ProcessEvent) => void;

export function jsonLineWriter(out: Writable): EventWriter {
  return (e) => {
    out.write(JSON.stringify(e) + '\n');
  };
}

/** `t` now, for events that happen at the moment they are printed. */
export function now(): number {
  return monotonicMs();
}

/** Calls `onLine` for each trimmed non-empty stdin line, one at a time (a command finishes before the next starts). */
export async function readCommands(
  input: Readable,
  onLine: (line: string) => Promise<boolean>,
): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '') continue;
    if (!(await onLine(line))) break;
  }
  rl.close();
}
