import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../lib/progress/progress-line.ts';

function fakeSink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (t: string) => void writes.push(t) } };
}

describe('ProgressLine', () => {
  it('rewrites one throttled line on a terminal and ends it on done', () => {
    let now = 0;
    const { writes, sink } = fakeSink(true);
    const p = new ProgressLine('route-scale #1', { sink, intervalMs: 200, now: () => now });
    p.update({ peers: [0, 10] });
    now = 50;
    p.update({ peers: [5, 10] }); // throttled
    now = 250;
    p.update({ peers: [10, 10], prefixes: [0, 1000], pending: 0 });
    now = 1250;
    p.update({ prefixes: [500, 1000], pending: 40 });
    p.done('converged');
    expect(writes).toHaveLength(5);
    expect(writes[0]).toBe('\r\x1b[2K[route-scale #1] peers 0/10 | 0.0s');
    expect(writes[2]).toBe(
      '\r\x1b[2K[route-scale #1] peers 10/10 | prefixes 500/1000 | pending 40 | 1.3s | 500 prefixes/s',
    );
    expect(writes[3]).toMatch(/converged$/);
    expect(writes[4]).toBe('\n');
    expect(writes.slice(0, 4).every((w) => !w.includes('\n'))).toBe(true);
  });

  it('prints plain lines at a slower pace when not a terminal', () => {
    let now = 0;
    const { writes, sink } = fakeSink(false);
    const p = new ProgressLine('flap', { sink, plainIntervalMs: 5000, now: () => now });
    for (let i = 0; i <= 100; i++) {
      now = i * 100; // 10 s of updates every 100 ms
      p.update({ peers: [i, 100] });
    }
    expect(writes).toEqual([
      '[flap] peers 0/100 | 0.0s\n',
      '[flap] peers 50/100 | 5.0s | 10 peers/s\n',
      '[flap] peers 100/100 | 10.0s | 10 peers/s\n',
    ]);
  });
});
