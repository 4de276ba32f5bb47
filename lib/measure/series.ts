/**
 * A time series of numbers, stamped with the monotonic clock (for durations) and wall-clock (for humans),
 * streamed to an NDJSON file as points arrive so a crash loses nothing already sampled.
 *
 * API:
 * - `new Series(name, unit, { file?, meta? })`; `series.add(v, t = monotonicMs(), wall = Date.now())`;
 *   `series.points` (SeriesPoint {t: monotonic ms, wall: epoch ms, v}); `series.last()`; `series.values()`;
 *   `await series.close()` flushes and closes the file (idempotent). A point added after close() is dropped:
 *   a sampler's last line can arrive after its scenario was torn down (test timeout, Ctrl-C).
 * - File format: line 1 header {"series": name, "unit": unit, "meta": {...}}, then one {"t","wall","v"} per line.
 * - `readSeries(file)` -> SeriesData {name, unit, meta, points}; tolerates a torn last line (crash mid-write).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { monotonicMs } from '../clock.ts';

export interface SeriesPoint {
  /** Monotonic ms (lib/clock.ts). */
  t: number;
  /** Epoch ms, for display only. */
  wall: number;
  v: number;
}

export interface SeriesData {
  name: string;
  unit: string;
  meta: Record<string, unknown>;
  points: SeriesPoint[];
}

export interface SeriesOptions {
  /** NDJSON file the points are streamed to (directories are created). */
  file?: string;
  /** Free-form facts stored in the header, e.g. {resolutionMs, source}. */
  meta?: Record<string, unknown>;
}

export class Series implements SeriesData {
  readonly points: SeriesPoint[] = [];
  readonly meta: Record<string, unknown>;
  readonly file: string | undefined;
  private stream: WriteStream | undefined;
  private opened: Promise<void> | undefined;
  private closed = false;
  /** Lines added before the file was open. */
  private pending: string[] = [];

  constructor(
    readonly name: string,
    readonly unit: string,
    opts: SeriesOptions = {},
  ) {
    this.meta = { ...opts.meta };
    this.file = opts.file;
    if (opts.file) {
      const file = opts.file;
      // Directory creation is async; lines written before it completes are queued in order.
      this.opened = mkdir(dirname(file), { recursive: true }).then(() => {
        this.stream = createWriteStream(file, { flags: 'w' });
        this.stream.write(this.headerLine() + this.pending.join(''));
        this.pending = [];
      });
    }
  }

  private headerLine(): string {
    return JSON.stringify({ series: this.name, unit: this.unit, meta: this.meta }) + '\n';
  }

  add(v: number, t = monotonicMs(), wall = Date.now()): SeriesPoint {
    const p = { t, wall, v };
    if (this.closed) return p;
    this.points.push(p);
    if (this.file) {
      const line = JSON.stringify(p) + '\n';
      if (this.stream) this.stream.write(line);
      else this.pending.push(line);
    }
    return p;
  }

  last(): SeriesPoint | undefined {
    return this.points[this.points.length - 1];
  }

  values(): number[] {
    return this.points.map((p) => p.v);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened;
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(resolve);
    });
  }

  toJSON(): SeriesData {
    return { name: this.name, unit: this.unit, meta: this.meta, points: this.points };
  }
}

export async function readSeries(file: string): Promise<SeriesData> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const headerLine = lines.shift();
  if (headerLine === undefined) throw new Error(`${file}: empty series file (expected a header line)`);
  let header: { series?: unknown; unit?: unknown; meta?: unknown };
  try {
    header = JSON.parse(headerLine);
  } catch {
    throw new Error(`${file}:1: expected a JSON header {"series","unit"}, found ${headerLine.slice(0, 80)}`);
  }
  if (typeof header.series !== 'string') {
    throw new Error(`${file}:1: expected a header with a "series" name, found ${headerLine.slice(0, 80)}`);
  }
  const points: SeriesPoint[] = [];
  lines.forEach((line, i) => {
    let p: SeriesPoint;
    try {
      p = JSON.parse(line);
    } catch (err) {
      // A torn final line is what a crash mid-write leaves; anything else is corruption.
      if (i === lines.length - 1) return;
      throw new Error(`${file}:${i + 2}: not a JSON point (${(err as Error).message})`, { cause: err });
    }
    if (typeof p.t !== 'number' || typeof p.v !== 'number') {
      throw new Error(`${file}:${i + 2}: expected {"t": number, "wall": number, "v": number}, found ${line}`);
    }
    points.push(p);
  });
  return {
    name: header.series,
    unit: typeof header.unit === 'string' ? header.unit : '',
    meta: (header.meta as Record<string, unknown>) ?? {},
    points,
  };
}
