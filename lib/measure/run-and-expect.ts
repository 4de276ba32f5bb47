/**
 * Convergence checks as data, after FRR topotests: poll a function until its result contains an expected
 * subset (`jsonCmp`), bounded in time, and say what still differs when it does not.
 *
 * API:
 * - `jsonCmp(actual, expected)` -> undefined when `expected` is a subset of `actual`, else a list of
 *   differences ("$.tables[0].pending_updates: expected 0, found 12"). Rules: objects compare by the
 *   expected keys only (a key whose expected value is null must be absent); arrays: every expected item
 *   must match a distinct actual item, in any order; a function is a predicate on the actual value;
 *   everything else compares with ===.
 * - `runAndExpect(fn, expected, {timeoutMs, intervalMs = 250, signal})` -> RunAndExpectResult
 *   {ok, value (last result), diff (last differences), attempts, elapsedMs}. Polls at least once, never
 *   past timeoutMs (monotonic), one call in flight at a time; an exception from fn counts as a miss
 *   (its message becomes the diff) until the deadline.
 */
import { monotonicMs, sleep } from '../clock.ts';

export type Expected = unknown;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
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

export function jsonCmp(actual: unknown, expected: Expected): string[] | undefined {
  const out: string[] = [];
  cmp(actual, expected, '$', out);
  return out.length ? out : undefined;
}

export interface RunAndExpectOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface RunAndExpectResult<T> {
  ok: boolean;
  value: T | undefined;
  diff: string[] | undefined;
  attempts: number;
  elapsedMs: number;
}

export async function runAndExpect<T>(
  fn: () => T | Promise<T>,
  expected: Expected,
  opts: RunAndExpectOptions,
): Promise<RunAndExpectResult<T>> {
  const start = monotonicMs();
  const interval = opts.intervalMs ?? 250;
  let attempts = 0;
  let value: T | undefined;
  let diff: string[] | undefined;
  while (true) {
    opts.signal?.throwIfAborted();
    attempts++;
    try {
      value = await fn();
      diff = jsonCmp(value, expected);
    } catch (err) {
      diff = [`call failed: ${(err as Error).message}`];
    }
    const elapsedMs = monotonicMs() - start;
    if (!diff) return { ok: true, value, diff, attempts, elapsedMs };
    const left = opts.timeoutMs - elapsedMs;
    if (left <= 0) return { ok: false, value, diff, attempts, elapsedMs };
    await sleep(Math.min(interval, left), opts.signal);
  }
}
