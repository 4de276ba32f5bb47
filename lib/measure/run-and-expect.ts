/**
 * Convergence checks as data, after FRR topotests: poll a function until its result contains an expected
 * subset (`jsonCmp`), bounded in time, and say what still differs when it does not. The one waiting
 * primitive of lib/: production code that waits for a state calls `runAndExpect`, never a loop of its own.
 *
 * API:
 * - `runAndExpect<T>(fn: (signal: AbortSignal) => T | Promise<T>, expected: unknown,
 *     opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; what?: string })
 *     -> Promise<RunAndExpectResult<T>>`
 *   RunAndExpectResult<T> = { ok, value, diff, attempts, elapsedMs, message }.
 *   - Calls fn at once, then again `intervalMs` (default 250) after each call ends, one call in flight at a
 *     time, until `jsonCmp(value, expected)` finds no difference or `timeoutMs` (monotonic, from the first
 *     call) has passed; the last call is made at the deadline. At least one call is made.
 *   - `expected` may be a plain value, a subset of an object, or a predicate `(v) => boolean`.
 *   - An exception from fn is a miss ("call failed: <message>" becomes the diff) until the deadline.
 *   - fn gets an AbortSignal that aborts at the deadline or when `opts.signal` aborts: pass it on to
 *     requests so a hanging call cannot outlive the wait (a call that ignores it can).
 *   - Never rejects on timeout: `ok` is false and `message` reads
 *     "<what>: not met within 5000 ms (21 attempts); last value {...}: $.state: expected ..., found ...",
 *     ready to throw or to log. `value` is the last value fn returned, `diff` the last differences.
 *   - Rejects with `opts.signal.reason` when `opts.signal` aborts, before or between calls or during one.
 * - `jsonCmp(actual, expected)` -> undefined when `expected` is a subset of `actual`, else a list of
 *   differences ("$.tables[0].pending_updates: expected 0, found 12"). Rules: objects compare by the
 *   expected keys only (a key whose expected value is null must be absent); arrays: every expected item
 *   must match a distinct actual item, in any order; a function is a predicate on the actual value;
 *   everything else compares with ===.
 */
import { monotonicMs, sleep } from '../clock.ts';

function show(v: unknown, max = 80): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > max ? s.slice(0, max - 3) + '...' : s;
}

function cmp(actual: unknown, expected: unknown, path: string, out: string[]): void {
  if (typeof expected === 'function') {
    if (!(expected as (v: unknown) => boolean)(actual))
      out.push(`${path}: ${show(actual)} does not satisfy ${expected.name || 'predicate'}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push(`${path}: expected an array, found ${show(actual)}`);
      return;
    }
    const used = new Set<number>();
    expected.forEach((e, i) => {
      const match = actual.findIndex((a, j) => !used.has(j) && jsonCmp(a, e) === undefined);
      if (match < 0) out.push(`${path}[${i}]: no element matches ${show(e)}`);
      else used.add(match);
    });
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push(`${path}: expected an object, found ${show(actual)}`);
      return;
    }
    for (const [k, e] of Object.entries(expected)) {
      const a = (actual as Record<string, unknown>)[k];
      if (e === null) {
        if (k in actual) out.push(`${path}.${k}: expected absent, found ${show(a)}`);
      } else if (!(k in actual)) {
        out.push(`${path}.${k}: missing (expected ${show(e)})`);
      } else {
        cmp(a, e, `${path}.${k}`, out);
      }
    }
    return;
  }
  if (actual !== expected) out.push(`${path}: expected ${show(expected)}, found ${show(actual)}`);
}

export function jsonCmp(actual: unknown, expected: unknown): string[] | undefined {
  const out: string[] = [];
  cmp(actual, expected, '$', out);
  return out.length ? out : undefined;
}

export interface RunAndExpectOptions {
  /** Give up this long after the first call (monotonic ms); 0 means exactly one call. */
  timeoutMs: number;
  /** Pause between the end of one call and the start of the next; default 250 ms. */
  intervalMs?: number;
  /** Stops the wait: runAndExpect rejects with its reason. */
  signal?: AbortSignal;
  /** What is awaited, for the message: "control node cn1 ready". */
  what?: string;
}

export interface RunAndExpectResult<T> {
  ok: boolean;
  /** Last value fn returned (undefined if every call threw). */
  value: T | undefined;
  /** Differences of the last call, undefined when ok. */
  diff: string[] | undefined;
  attempts: number;
  elapsedMs: number;
  /** One line for a log or an Error: what, how long, how many calls, the last value and differences. */
  message: string;
}

function checkOptions(what: string, timeoutMs: number, intervalMs: number): void {
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0))
    throw new RangeError(`runAndExpect (${what}): timeoutMs: expected a number >= 0, found ${timeoutMs}`);
  if (!(Number.isFinite(intervalMs) && intervalMs > 0))
    throw new RangeError(`runAndExpect (${what}): intervalMs: expected a number > 0, found ${intervalMs}`);
}

export async function runAndExpect<T>(
  fn: (signal: AbortSignal) => T | Promise<T>,
  expected: unknown,
  opts: RunAndExpectOptions,
): Promise<RunAndExpectResult<T>> {
  const { timeoutMs, intervalMs = 250, signal, what = 'condition' } = opts;
  checkOptions(what, timeoutMs, intervalMs);
  signal?.throwIfAborted();
  // One signal for every call: aborted at the deadline, or with the caller's reason.
  const calls = new AbortController();
  const onAbort = () => calls.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = setTimeout(
    () => calls.abort(new Error(`${what}: no result within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const start = monotonicMs();
  let attempts = 0;
  let value: T | undefined;
  let diff: string[] | undefined;
  try {
    while (true) {
      attempts++;
      try {
        value = await fn(calls.signal);
        diff = jsonCmp(value, expected);
      } catch (err) {
        diff = [`call failed: ${err instanceof Error ? err.message : String(err)}`];
      }
      signal?.throwIfAborted();
      const elapsedMs = monotonicMs() - start;
      const ms = Math.round(elapsedMs);
      if (!diff) {
        const message = `${what}: met after ${attempts} attempt${attempts > 1 ? 's' : ''} in ${ms} ms`;
        return { ok: true, value, diff, attempts, elapsedMs, message };
      }
      const left = timeoutMs - elapsedMs;
      if (left <= 0) {
        const message =
          `${what}: not met within ${timeoutMs} ms (${attempts} attempt${attempts > 1 ? 's' : ''}); ` +
          `last value ${show(value, 200)}: ${diff.join('; ')}`;
        return { ok: false, value, diff, attempts, elapsedMs, message };
      }
      await sleep(Math.min(intervalMs, left), signal);
    }
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener('abort', onAbort);
  }
}
