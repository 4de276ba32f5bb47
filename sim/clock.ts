/**
 * The emulators' own clock. Times an emulator reports (the control node's
 * /sim/events) are read by another process on the same machine, so they come
 * from CLOCK_MONOTONIC through process.hrtime, which every process shares;
 * performance.now() counts from this process's start and would not compare.
 */

/** CLOCK_MONOTONIC in milliseconds. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
