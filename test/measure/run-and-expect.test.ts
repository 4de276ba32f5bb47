/**
 * runAndExpect on fake timers (setTimeout and the monotonic clock both advance only when told), so
 * attempts and elapsed times are exact, whatever the load on the machine.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonCmp, runAndExpect } from '../../lib/measure/run-and-expect.ts';

describe('jsonCmp', () => {
  const actual = {
    tables: [
      { name: 'a', prefixes: 10, pending: 0 },
      { name: 'b', prefixes: 5, pending: 2 },
    ],
    up: 3,
  };
  it('matches subsets in any order, null means absent, functions are predicates', () => {
    expect(jsonCmp(actual, { up: 3 })).toBeUndefined();
    expect(
      jsonCmp(actual, { tables: [{ name: 'b' }, { name: 'a', pending: 0 }], down: null }),
    ).toBeUndefined();
    expect(jsonCmp(actual, { up: (v: unknown) => (v as number) >= 3 })).toBeUndefined();
  });
  it('lists every difference with its path', () => {
    expect(jsonCmp(actual, { up: 4, tables: [{ name: 'c' }], missing: 1, tables2: null })).toEqual([
      '$.up: expected 4, found 3',
      '$.tables[0]: no element matches {"name":"c"}',
      '$.missing: missing (expected 1)',
    ]);
    expect(jsonCmp(actual, { up: null })).toEqual(['$.up: expected absent, found 3']);
  });
});

describe('runAndExpect', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns after one call when the first result matches', async () => {
    const fn = vi.fn(() => ({ state: 'Established', peers: 4 }));
    const r = await runAndExpect(fn, { state: 'Established' }, { timeoutMs: 1000, what: 'session up' });
    expect(r).toEqual({
      ok: true,
      value: { state: 'Established', peers: 4 },
      diff: undefined,
      attempts: 1,
      elapsedMs: 0,
      message: 'session up: met after 1 attempt in 0 ms',
    });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('calls again one interval after each miss until the result matches', async () => {
    let n = 0;
    const result = runAndExpect(() => ({ count: ++n }), { count: 4 }, { timeoutMs: 10_000, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(299);
    expect(n).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({
      ok: true,
      attempts: 4,
      elapsedMs: 300,
      value: { count: 4 },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(4);
  });

  it('waits for a slow call to end before the next one: one call in flight at a time', async () => {
    let inFlight = 0;
    let most = 0;
    let n = 0;
    const fn = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 500));
      inFlight--;
      return ++n;
    };
    const result = runAndExpect(fn, 3, { timeoutMs: 10_000, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(1700);
    await expect(result).resolves.toMatchObject({ ok: true, attempts: 3, elapsedMs: 1700 });
    expect(most).toBe(1);
  });

  it('at the deadline returns not ok, with the last value and differences in the message', async () => {
    let n = 0;
    const fn = () => {
      n++;
      if (n === 3) throw new Error('connection reset');
      return { state: 'Active', attempt: n };
    };
    const result = runAndExpect(
      fn,
      { state: 'Established' },
      { timeoutMs: 1000, intervalMs: 300, what: 'bgp session cn1-mx1' },
    );
    await vi.advanceTimersByTimeAsync(1000);
    // Calls at 0, 300, 600 (throws), 900 and at the deadline, 1000.
    await expect(result).resolves.toEqual({
      ok: false,
      value: { state: 'Active', attempt: 5 },
      diff: ['$.state: expected "Established", found "Active"'],
      attempts: 5,
      elapsedMs: 1000,
      message:
        'bgp session cn1-mx1: not met within 1000 ms (5 attempts); last value {"state":"Active","attempt":5}: ' +
        '$.state: expected "Established", found "Active"',
    });
  });

  it('counts a thrown error as a miss and reports it when it is the last call', async () => {
    const result = runAndExpect(
      () => {
        throw new Error('ECONNREFUSED 127.0.0.1:8083');
      },
      true,
      { timeoutMs: 500, intervalMs: 200, what: 'introspect answers' },
    );
    await vi.advanceTimersByTimeAsync(500);
    const r = await result;
    expect(r).toMatchObject({ ok: false, attempts: 4, value: undefined });
    expect(r.message).toBe(
      'introspect answers: not met within 500 ms (4 attempts); last value undefined: ' +
        'call failed: ECONNREFUSED 127.0.0.1:8083',
    );
  });

  it('takes a predicate as the expectation', async () => {
    let peers = 0;
    const result = runAndExpect(
      () => (peers += 2),
      (v: unknown) => (v as number) >= 6,
      {
        timeoutMs: 1000,
        intervalMs: 50,
      },
    );
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toMatchObject({ ok: true, value: 6, attempts: 3 });
  });

  it('aborts the signal of a call that is still running at the deadline', async () => {
    const hanging = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const result = runAndExpect(hanging, 'answer', { timeoutMs: 2000, what: 'slow page' });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(result).resolves.toMatchObject({
      ok: false,
      attempts: 1,
      elapsedMs: 2000,
      diff: ['call failed: slow page: no result within 2000 ms'],
    });
  });

  it('stops when the caller aborts: rejects with its reason and calls no more', async () => {
    const ac = new AbortController();
    const fn = vi.fn(() => 1);
    const result = runAndExpect(fn, 2, { timeoutMs: 10_000, intervalMs: 100, signal: ac.signal });
    const rejected = expect(result).rejects.toThrow('scenario stopped');
    await vi.advanceTimersByTimeAsync(250);
    ac.abort(new Error('scenario stopped'));
    await rejected;
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('passes the abort on to a running call, and rejects at once on an aborted signal', async () => {
    const ac = new AbortController();
    let seen: unknown;
    const hanging = (signal: AbortSignal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject((seen = signal.reason))),
      );
    const result = runAndExpect(hanging, 1, { timeoutMs: 10_000, signal: ac.signal });
    const rejected = expect(result).rejects.toThrow('operator pressed Ctrl-C');
    await vi.advanceTimersByTimeAsync(100);
    ac.abort(new Error('operator pressed Ctrl-C'));
    await rejected;
    expect(seen).toBe(ac.signal.reason);

    const fn = vi.fn(() => 1);
    await expect(runAndExpect(fn, 1, { timeoutMs: 100, signal: ac.signal })).rejects.toThrow(
      'operator pressed Ctrl-C',
    );
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects options that cannot bound a wait, naming the option and what is awaited', async () => {
    await expect(runAndExpect(() => 1, 1, { timeoutMs: Number.NaN, what: 'peers up' })).rejects.toThrow(
      'runAndExpect (peers up): timeoutMs: expected a number >= 0, found NaN',
    );
    await expect(runAndExpect(() => 1, 1, { timeoutMs: 100, intervalMs: 0 })).rejects.toThrow(
      'runAndExpect (condition): intervalMs: expected a number > 0, found 0',
    );
  });
});
