/**
 * Monotonic time for every measurement. Wall-clock (Date) jumps with NTP;
 * durations come from process.hrtime, and wall-clock is only used to label
 * when something happened.
 */

/** Milliseconds on a monotonic clock with sub-microsecond resolution. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Measured granularity of monotonicMs in ms (smallest observed non-zero step). */
export function clockResolutionMs(): number {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = process.hrtime.bigint();
    let b = process.hrtime.bigint();
    while (b === a) b = process.hrtime.bigint();
    best = Math.min(best, Number(b - a) / 1e6);
  }
  return best;
}

/**
 * The wall clock (CLOCK_REALTIME, as a daemon stamps its log) against monotonicMs: wall ms = monotonic ms
 * + offsetMs, known to ± errorMs. Date.now() steps once a millisecond; at the step the wall clock is an
 * exact integer, so the monotonic reads either side of the step place it to a few microseconds.
 */
export function realtimeOffset(): { offsetMs: number; errorMs: number } {
  let best = { offsetMs: 0, errorMs: Infinity };
  for (let i = 0; i < 3; i++) {
    // The read that last returned w0 began at lastStart; the wall clock stepped after that.
    let lastStart = monotonicMs();
    const w0 = Date.now();
    for (;;) {
      const start = monotonicMs();
      const wall = Date.now();
      const end = monotonicMs();
      if (wall !== w0) {
        const errorMs = (end - lastStart) / 2;
        if (errorMs < best.errorMs) best = { offsetMs: wall - (lastStart + end) / 2, errorMs };
        break;
      }
      lastStart = start;
    }
  }
  return best;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A wait of `ms` that wake() ends early (a poller woken by stop() or by a change of plan). */
export function wakeableSleep(ms: number): { done: Promise<void>; wake(): void } {
  let wake = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}
