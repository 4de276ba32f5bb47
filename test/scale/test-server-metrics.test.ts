import { describe, expect, it } from 'vitest';
import { iterationMetrics, type IterationTimeline } from '../../lib/scale/iteration-metrics.ts';

const pts = (vs: Array<[number, number]>) => vs.map(([t, v]) => ({ t, wall: 0, v }));

const base: IterationTimeline = {
  marks: { start: 0 },
  milestones: {},
  expected: { peers: 1, prefixes: 1, agents: 1, updates: 1 },
  clockResolutionMs: 0.001,
};

describe('test-server and memory metrics', () => {
  it('takes the busiest test server: its host CPU peak (% of one core) known to the step to a neighbour', () => {
    const r = iterationMetrics({
      ...base,
      testServers: [
        {
          name: 'a',
          cpu: pts([
            [0, 40],
            [250, 120],
            [500, 100],
          ]),
          memUsed: pts([
            [0, 3e9],
            [250, 3.2e9],
          ]),
        },
        {
          name: 'b',
          cpu: pts([
            [0, 10],
            [250, 180],
            [500, 30],
          ]),
          memUsed: pts([
            [0, 1e9],
            [250, 1.5e9],
          ]),
        },
      ],
    });
    // b's peak is higher; from 180 the larger step to a neighbour is 170 (down to 10).
    expect(r.test_server_cpu_peak).toEqual({ value: 180, unit: '%', resolution: 170 });
    // Memory peaks on a (3.2 GB), known to the step from 3 GB.
    expect(r.test_server_mem_peak).toEqual({ value: 3.2e9, unit: 'B', resolution: 0.2e9 });
  });

  it('leaves the test-server metrics out when nothing was sampled', () => {
    const r = iterationMetrics({ ...base, testServers: [{ name: 'a', cpu: [], memUsed: [] }] });
    expect(r).not.toHaveProperty('test_server_cpu_peak');
    expect(r).not.toHaveProperty('test_server_mem_peak');
  });

  it("gives the control node's RSS at its CPU peak, from the reading nearest that instant", () => {
    const r = iterationMetrics({
      ...base,
      cpu: pts([
        [250, 20],
        [500, 95],
        [750, 30],
      ]),
      rss: pts([
        [240, 1e8],
        [490, 3e8],
        [740, 2e8],
      ]),
    });
    expect(r.rss_at_cpu_peak).toEqual({ value: 3e8, unit: 'B' });
    expect(r.rss_peak?.value).toBe(3e8);
  });

  it('has no RSS at the CPU peak when only the CPU at peak load is reported', () => {
    const r = iterationMetrics({
      ...base,
      cpu: pts([
        [250, 20],
        [500, 95],
      ]),
      rss: pts([
        [240, 1e8],
        [490, 3e8],
      ]),
      cpuOnlyAtPeak: true,
    });
    expect(r).not.toHaveProperty('rss_at_cpu_peak');
    expect(r).not.toHaveProperty('cpu_peak');
  });
});
