import { describe, expect, it } from 'vitest';
import {
  allPeersUp,
  allWithdrawn,
  deriveMilestone,
  durationSince,
  firstPeerUp,
  routesComplete,
} from '../../lib/measure/milestones.ts';
import { Series } from '../../lib/measure/series.ts';

function series(name: string, pts: Array<[number, number]>): Series {
  const s = new Series(name, 'count');
  for (const [t, v] of pts) s.add(v, t, 1e12 + t);
  return s;
}

describe('milestones', () => {
  const peers = series('peers_up', [
    [0, 0],
    [40, 0],
    [80, 3],
    [120, 10],
  ]);

  it('brackets first and all peers up between the last miss and the first hit', () => {
    expect(deriveMilestone(firstPeerUp(), [peers])).toMatchObject({ t: 80, lo: 40, uncertaintyMs: 40 });
    expect(deriveMilestone(allPeersUp(10), [peers])).toMatchObject({ t: 120, lo: 80, uncertaintyMs: 40 });
    expect(deriveMilestone(allPeersUp(11), [peers])).toBeUndefined();
  });

  it('routes complete needs prefixes >= expected AND pending updates 0 in the same poll', () => {
    const prefixes = series('prefixes', [
      [100, 0],
      [150, 1000],
      [200, 1000],
      [250, 1000],
    ]);
    const pending = series('pending_updates', [
      [100, 0],
      [150, 7],
      [200, 0],
      [250, 0],
    ]);
    const m = deriveMilestone(routesComplete(1000, 120), { prefixes, pending_updates: pending })!;
    expect(m).toMatchObject({ name: 'routes_complete', t: 200, lo: 150, uncertaintyMs: 50 });
    // To the middle of the bracket [150, 200], ± half of it.
    expect(durationSince(120, m)).toEqual({ ms: 55, resolutionMs: 25 });
    // A bracket never reaches back before the mark it is timed from.
    expect(durationSince(170, m)).toEqual({ ms: 15, resolutionMs: 15 });
  });

  it('uses the after-mark as the lower bound when the first sample after it already meets', () => {
    const prefixes = series('prefixes', [
      [0, 500],
      [300, 0],
    ]);
    const m = deriveMilestone(allWithdrawn(280), [prefixes])!;
    expect(m).toMatchObject({ t: 300, lo: 280, uncertaintyMs: 20 });
    // Samples before the mark do not count even if they would match.
    const early = series('prefixes', [
      [0, 0],
      [50, 10],
      [90, 0],
    ]);
    expect(deriveMilestone(allWithdrawn(10), [early])).toMatchObject({ t: 90, lo: 50 });
  });

  it('names a missing series', () => {
    expect(() => deriveMilestone(routesComplete(1), [peers])).toThrow(
      'milestone routes_complete: no series named prefixes, pending_updates (have peers_up)',
    );
  });
});
