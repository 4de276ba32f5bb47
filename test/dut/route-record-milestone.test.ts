/**
 * A daemon's own stamps in place of the poller's bracket, cut to their overlap with it: only inside it, only when every watched prefix
 * moved after the milestone's start, and only for the milestones the stamps time.
 */
import { describe, expect, it } from 'vitest';
import type { DaemonRouteEvent, DaemonRouteRecord } from '../../lib/daemons/bgp-daemon.ts';
import { milestoneFromRecord } from '../../lib/dut/route-record-milestone.ts';
import { allWithdrawn, routesComplete, type Milestone } from '../../lib/measure/milestones.ts';

const record = (events: DaemonRouteEvent[]): DaemonRouteRecord => ({
  via: 'bgpd debug log',
  resolutionMs: 0.002,
  events: () => events,
});
const polled = (lo: number, t: number): Milestone => ({
  name: 'routes_complete',
  t,
  lo,
  wall: 5000,
  uncertaintyMs: t - lo,
});
const WATCHED = ['10.0.9.0/24', '10.0.19.0/24'];

describe('milestone from a daemon record', () => {
  it('the latest watched stamp after the start, to the record resolution, when inside the bracket', () => {
    const r = milestoneFromRecord({
      polled: polled(1100, 1900),
      spec: routesComplete(200, 1000),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'announce', t: 900 }, // before the start: an earlier add
        { prefix: '10.0.9.0/24', kind: 'announce', t: 1400 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 1523.5 },
        { prefix: '10.0.19.0/24', kind: 'withdraw', t: 1700 },
      ]),
      watched: WATCHED,
    });
    expect(r.note).toBeUndefined();
    expect(r.milestone).toMatchObject({ t: 1523.502, lo: 1523.498 });
    expect(r.milestone!.uncertaintyMs).toBeCloseTo(0.004, 9);
    expect(r.milestone!.wall).toBeCloseTo(5000 - (1900 - 1523.502), 6);
  });

  it('an event known less finely than the record widens the milestone by its own resolution', () => {
    // BIRD: the first peer's last prefix in a long cycle (1350-1450), the second's in a short one later.
    const r = milestoneFromRecord({
      polled: polled(1100, 1900),
      spec: routesComplete(200, 1000),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'announce', t: 1400, resolutionMs: 50 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 1420, resolutionMs: 5 },
      ]),
      watched: WATCHED,
    });
    // Everything was in after both had begun (1415) and by the time both had ended (1450).
    expect(r.milestone).toMatchObject({ lo: 1415, t: 1450, uncertaintyMs: 35 });
  });

  it("keeps the tighter end of each: a record wider than the poller's bracket on one side is cut to it", () => {
    // GoBGP: known from a stale probe (1000) to its own event (1480); the poller saw it short at 1300.
    const r = milestoneFromRecord({
      polled: polled(1300, 1900),
      spec: routesComplete(200, 1000),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'announce', t: 1100, resolutionMs: 50 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 1240, resolutionMs: 240 },
      ]),
      watched: WATCHED,
    });
    expect(r.note).toBeUndefined();
    expect(r.milestone).toMatchObject({ lo: 1300, t: 1480, uncertaintyMs: 180 });
  });

  it('takes an event wide enough to begin before the start when it may have happened after it', () => {
    // GoBGP before its first probe: known from the watch start (500) to its own event (1480).
    const r = milestoneFromRecord({
      polled: polled(1300, 1900),
      spec: routesComplete(200, 1000),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'announce', t: 990, resolutionMs: 490 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 990, resolutionMs: 490 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 7000 }, // a later add: not this one
      ]),
      watched: WATCHED,
    });
    expect(r.note).toBeUndefined();
    expect(r.milestone).toMatchObject({ lo: 1300, t: 1480, uncertaintyMs: 180 });
  });

  it('times a withdraw from the withdrawn stamps', () => {
    const r = milestoneFromRecord({
      polled: { ...polled(1600, 1800), name: 'all_withdrawn' },
      spec: allWithdrawn(1500),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'withdraw', t: 1650 },
        { prefix: '10.0.19.0/24', kind: 'withdraw', t: 1610 },
      ]),
      watched: WATCHED,
    });
    expect(r.milestone!.lo).toBeCloseTo(1649.998, 6);
  });

  it('leaves the bracket standing, with a note, when the stamp lies outside it', () => {
    const r = milestoneFromRecord({
      polled: polled(1100, 1300),
      spec: routesComplete(200, 1000),
      record: record([
        { prefix: '10.0.9.0/24', kind: 'announce', t: 1200 },
        { prefix: '10.0.19.0/24', kind: 'announce', t: 1450 },
      ]),
      watched: WATCHED,
    });
    expect(r.milestone).toEqual(polled(1100, 1300));
    expect(r.note).toBe(
      'bgpd debug log: the daemon stamped its last prefix taken in at 0.450 s, outside what its answers showed (between 0.100 s and 0.300 s); the figure uses its answers',
    );
  });

  it('leaves the bracket when a watched prefix did not move (a churn of other prefixes), or for other milestones', () => {
    const events: DaemonRouteEvent[] = [{ prefix: '10.0.9.0/24', kind: 'announce', t: 1200 }];
    const p = polled(1100, 1300);
    expect(
      milestoneFromRecord({
        polled: p,
        spec: routesComplete(200, 1000),
        record: record(events),
        watched: WATCHED,
      }),
    ).toEqual({ milestone: p });
    expect(
      milestoneFromRecord({
        polled: p,
        spec: { name: 'prefixes_at_most', when: {}, after: 1000 },
        record: record(events),
        watched: ['10.0.9.0/24'],
      }),
    ).toEqual({ milestone: p });
    expect(
      milestoneFromRecord({
        polled: undefined,
        spec: routesComplete(200, 1000),
        record: record(events),
        watched: ['10.0.9.0/24'],
      }),
    ).toEqual({ milestone: undefined });
  });
});
