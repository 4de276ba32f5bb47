/**
 * Series with known timing for run-archive tests, shifted by `off` ms: 10 peers all up 200 ms after the
 * start at 1000 (sampled every 100 ms), 1000 prefixes complete 150 ms after the add trigger at 1300
 * (bracket 50 ms), all withdrawn 100 ms after the delete trigger at 1500 (bracket 50 ms).
 */
import type { IterationInput, ScenarioRecorder } from '../../lib/report/run-archive.ts';

export const WALL_BASE = 1_700_000_000_000;

/** Writes the series of one iteration; returns the iteration record's timing fields to complete. */
export function writeKnownSeries(
  sc: ScenarioRecorder,
  iteration: number,
  off: number,
): Pick<IterationInput, 'iteration' | 'start' | 'end' | 'startWall' | 'endWall' | 'marks' | 'expected'> {
  const peers = sc.series(iteration, 'peers_up', 'count');
  const prefixes = sc.series(iteration, 'prefixes', 'count');
  const pending = sc.series(iteration, 'pending_updates', 'count');
  const w = WALL_BASE;
  for (const [t, v] of [
    [1000, 0],
    [1100, 5],
    [1200, 10],
  ] as const)
    peers.add(v, t + off, w + t + off);
  for (const [t, p, u] of [
    [1300, 0, 0],
    [1350, 500, 20],
    [1400, 1000, 5],
    [1450, 1000, 0],
    [1550, 400, 0],
    [1600, 0, 0],
  ] as const) {
    prefixes.add(p, t + off, w + t + off);
    pending.add(u, t + off, w + t + off);
  }
  return {
    iteration,
    start: 1000 + off,
    end: 1700 + off,
    startWall: w + 1000 + off,
    endWall: w + 1700 + off,
    marks: { start: 1000 + off, add_trigger: 1300 + off, delete_trigger: 1500 + off },
    expected: { peers: 10, prefixes: 1000, agents: 10 },
  };
}
