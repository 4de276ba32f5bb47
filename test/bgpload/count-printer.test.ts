import { afterEach, describe, expect, it, vi } from 'vitest';
import { CountPrinter } from '../../lib/bgpload/count-printer.ts';

describe('CountPrinter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints at most one line per interval, the latest count with its own read time', () => {
    vi.useFakeTimers();
    const lines: Array<[number, number]> = [];
    const p = new CountPrinter({
      intervalMs: 10,
      expect: 100,
      clock: () => Date.now(),
      print: (c, t) => lines.push([c, t]),
    });
    p.update(5, 1.5);
    p.update(6, 2.5);
    p.update(7, 3.5);
    expect(lines).toEqual([[5, 1.5]]);
    vi.advanceTimersByTime(10);
    expect(lines).toEqual([
      [5, 1.5],
      [7, 3.5],
    ]);
    vi.advanceTimersByTime(100);
    expect(lines).toHaveLength(2);
  });

  it('prints the expected count and 0 at once, and flush prints what is pending', () => {
    vi.useFakeTimers();
    const lines: number[] = [];
    const p = new CountPrinter({
      intervalMs: 10,
      expect: 100,
      clock: () => Date.now(),
      print: (c) => lines.push(c),
    });
    p.update(50, 1);
    p.update(100, 2);
    p.update(60, 3);
    p.update(0, 4);
    p.update(30, 5);
    expect(lines).toEqual([50, 100, 0]);
    p.flush();
    expect(lines).toEqual([50, 100, 0, 30]);
  });
});
