/**
 * A generator's test run in the background (TrafficGenerator's startRfc2544* / waitRfc2544* pairs): start
 * runs it and returns at once, wait returns its result or rethrows its error. One at a time: a second start
 * before the wait, or a wait without a start, is an error of the driver's own class naming the driver.
 */
import type { BackToBackResult, ThroughputResult } from './traffic-generator.ts';

/** The driver's error class, so each driver keeps its own error type. */
export type ErrorClass = new (message: string) => Error;

export interface BackgroundTestNames {
  /** The generator's name, which every message starts with. */
  owner: string;
  /** The test with its article, for "already running": 'an RFC 2544 throughput test'. */
  test: string;
  /** The driver's method names, for "wait without start": 'startRfc2544Throughput', 'waitRfc2544Throughput'. */
  start: string;
  wait: string;
}

export class BackgroundTest<T> {
  private pending: Promise<T> | null = null;

  constructor(
    private readonly names: BackgroundTestNames,
    private readonly error: ErrorClass,
  ) {}

  /** Calls `run` (unless a test is already pending) and holds its promise for wait(). */
  start(run: () => Promise<T>): void {
    if (this.pending) throw new this.error(`${this.names.owner}: ${this.names.test} is already running`);
    this.pending = run();
    // Held for wait(), which rethrows; keep Node from calling it unhandled meanwhile.
    this.pending.catch(() => {});
  }

  /** The started test's result; the next start is allowed once it has settled. */
  async wait(): Promise<T> {
    const p = this.pending;
    if (!p) throw new this.error(`${this.names.owner}: ${this.names.wait} without ${this.names.start}`);
    try {
      return await p;
    } finally {
      this.pending = null;
    }
  }
}

/** The TrafficGenerator's background tests; T is the driver's throughput result. */
export interface Rfc2544BackgroundTests<T extends ThroughputResult> {
  throughput: BackgroundTest<T>;
  backToBack: BackgroundTest<BackToBackResult>;
}

/** Both RFC 2544 background tests of the generator `owner`, failing with `error`. */
export function rfc2544BackgroundTests<T extends ThroughputResult>(
  owner: string,
  error: ErrorClass,
): Rfc2544BackgroundTests<T> {
  return {
    throughput: new BackgroundTest<T>(
      {
        owner,
        test: 'an RFC 2544 throughput test',
        start: 'startRfc2544Throughput',
        wait: 'waitRfc2544Throughput',
      },
      error,
    ),
    backToBack: new BackgroundTest<BackToBackResult>(
      {
        owner,
        test: 'an RFC 2544 back-to-back test',
        start: 'startRfc2544BackToBack',
        wait: 'waitRfc2544BackToBack',
      },
      error,
    ),
  };
}
