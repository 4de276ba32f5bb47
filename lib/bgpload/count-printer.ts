/**
 * Coalesces the monitor's count changes for printing: at most one line per interval, always the
 * latest count with the read time of the UPDATE that produced it; a count equal to the expected
 * total or to 0 is printed at once, so a reader waiting for it never waits on the coalescing.
 */

export interface CountPrinterOptions {
  intervalMs: number;
  /** The spec's `expect`. */
  expect?: number;
  print: (count: number, t: number) => void;
  /** Injected for tests; monotonic ms. */
  clock: () => number;
}

export class CountPrinter {
  private lastPrintedAt = -Infinity;
  private pending: { count: number; t: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: CountPrinterOptions) {}

  /** A new count and the read time of the UPDATE that made it. */
  update(count: number, t: number): void {
    this.pending = { count, t };
    if (count === 0 || count === this.o.expect) return this.flush();
    const wait = this.lastPrintedAt + this.o.intervalMs - this.o.clock();
    if (wait <= 0) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Prints what is pending now (also at exit, so the last count is never lost). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.lastPrintedAt = this.o.clock();
    this.o.print(p.count, p.t);
  }
}
