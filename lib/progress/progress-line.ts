/**
 * A live, throttled progress line for long waits, one per scenario.
 *
 *   const p = new ProgressLine('route-scale #1');
 *   p.update({ peers: [7, 10], prefixes: [4500, 10000], pending: 12 });   // as often as you like
 *   p.done('converged');                                                  // final line, always printed
 *
 * On a terminal the line is rewritten in place (`\r` + clear) at most every
 * `intervalMs` (200 ms); when the sink is not a TTY (CI logs) a plain line is
 * printed at most every `plainIntervalMs` (5 s), so logs stay readable. The
 * rate shown is that of the last counter given (prefixes, else peers) over
 * the time since the first update, from the monotonic clock.
 */
import { monotonicMs } from '../clock.ts';

export interface ProgressFields {
  /** [up, expected] */
  peers?: [number, number];
  /** [present, expected] */
  prefixes?: [number, number];
  pending?: number;
  /** Free text, e.g. "flap 2/3". */
  note?: string;
}

export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export interface ProgressOptions {
  sink?: ProgressSink;
  intervalMs?: number;
  plainIntervalMs?: number;
  now?: () => number;
}

export class ProgressLine {
  private readonly sink: ProgressSink;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastWrite = -Infinity;
  private fields: ProgressFields = {};
  private rateBase?: { counter: 'prefixes' | 'peers'; value: number; at: number };
  private open = false;

  constructor(
    private readonly label: string,
    opts: ProgressOptions = {},
  ) {
    this.sink = opts.sink ?? { write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) };
    this.intervalMs = this.sink.isTTY ? (opts.intervalMs ?? 200) : (opts.plainIntervalMs ?? 5000);
    this.now = opts.now ?? monotonicMs;
    this.startedAt = this.now();
  }

  update(fields: ProgressFields): void {
    this.fields = { ...this.fields, ...fields };
    const counter = this.fields.prefixes ? 'prefixes' : this.fields.peers ? 'peers' : undefined;
    if (counter && this.rateBase?.counter !== counter) {
      this.rateBase = { counter, value: this.fields[counter]![0], at: this.now() };
    }
    const t = this.now();
    if (t - this.lastWrite < this.intervalMs) return;
    this.lastWrite = t;
    this.emit(this.render(t));
  }

  /** Prints the final state (not throttled) and ends the line. */
  done(note?: string): void {
    if (note !== undefined) this.fields.note = note;
    this.emit(this.render(this.now()));
    if (this.sink.isTTY && this.open) this.sink.write('\n');
    this.open = false;
  }

  render(t: number): string {
    const f = this.fields;
    const parts: string[] = [];
    if (f.peers) parts.push(`peers ${f.peers[0]}/${f.peers[1]}`);
    if (f.prefixes) parts.push(`prefixes ${f.prefixes[0]}/${f.prefixes[1]}`);
    if (f.pending !== undefined) parts.push(`pending ${f.pending}`);
    parts.push(`${((t - this.startedAt) / 1000).toFixed(1)}s`);
    const base = this.rateBase;
    if (base && t > base.at) {
      const value = this.fields[base.counter]![0];
      parts.push(`${Math.round(((value - base.value) * 1000) / (t - base.at))} ${base.counter}/s`);
    }
    if (f.note) parts.push(f.note);
    return `[${this.label}] ${parts.join(' | ')}`;
  }

  private emit(line: string): void {
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[2K${line}`);
      this.open = true;
    } else {
      this.sink.write(`${line}\n`);
    }
  }
}
