import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monotonicMs, sleep } from '../../lib/clock.ts';
import {
  IntrospectPoller,
  type IntrospectSource,
  type PolledRouteTable,
} from '../../lib/measure/introspect-poller.ts';
import { deriveMilestone, routesComplete } from '../../lib/measure/milestones.ts';

/** A control node whose state is a function of time; counts requests and concurrent requests. */
function scriptedSource(
  state: (now: number) => { peers: number; prefixes: number; pending: number },
  latencyMs = 2,
) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const call = async <T>(f: () => T): Promise<T> => {
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await sleep(latencyMs);
    stats.inFlight--;
    return f();
  };
  const source: IntrospectSource = {
    neighborCount: (kind, up) => {
      expect([kind, up]).toEqual(['xmpp', 'up']);
      return call(() => state(monotonicMs()).peers);
    },
    routeSummary: (regex) =>
      call((): PolledRouteTable[] => {
        const s = state(monotonicMs());
        const half = Math.floor(s.prefixes / 2);
        const table = (name: string, prefixes: number, pending: number) => ({
          name: `${regex}:${name}`,
          prefixes,
          paths: prefixes * 2,
          primaryPaths: prefixes,
          secondaryPaths: prefixes,
          infeasiblePaths: 0,
          pendingUpdates: pending,
        });
        return [table('a', half, s.pending), table('b', s.prefixes - half, 0)];
      }),
  };
  return { source, stats };
}

// Time is the fake clock's: the poller's timers, its monotonic clock (process.hrtime) and the scripted
// latency all advance together, so intervals and brackets are exact, whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'hrtime', 'performance', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances fake time by ms, running every timer and promise due on the way. */
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('IntrospectPoller', () => {
  it('backs off while idle, stays bounded, keeps one request in flight', async () => {
    const { source, stats } = scriptedSource(() => ({ peers: 4, prefixes: 100, pending: 0 }));
    const p = new IntrospectPoller(source, {
      tableRegex: 'vn',
      fastMs: 25,
      peersMaxMs: 200,
      routesMaxMs: 400,
    });
    p.start();
    await elapse(1500);
    await p.stop();
    expect(p.intervalsMs()).toEqual({ peers: 200, routes: 400 });
    // Idle for 1.5 s: about 1500/200 + 1500/400 plus the back-off ramp; far from 25 ms polling (120).
    expect(stats.calls).toBeLessThan(30);
    expect(stats.maxInFlight).toBe(1);
    const res = p.resolutionMs();
    expect(res.peers).toBeLessThanOrEqual(200 + 60);
    expect(res.routes).toBeLessThanOrEqual(400 + 60);
    expect(p.series.prefixes.last()!.v).toBe(100);
    expect(p.series.paths.last()!.v).toBe(200);
    expect(p.errors).toBe(0);
  });

  it('polls fast while values change, and the derived milestone is within the stated resolution', async () => {
    const t0 = monotonicMs();
    // Prefixes grow for 400 ms, pending updates drain until 500 ms: the true completion instant.
    const doneAt = t0 + 500;
    const { source, stats } = scriptedSource((now) => {
      const dt = now - t0;
      return { peers: 10, prefixes: Math.min(1000, Math.floor(dt * 2.5)), pending: now < doneAt ? 5 : 0 };
    });
    const p = new IntrospectPoller(source, {
      tableRegex: 'vn',
      fastMs: 25,
      peersMaxMs: 250,
      routesMaxMs: 500,
      targets: { prefixes: 1000 },
      perTable: true,
    });
    p.start();
    await elapse(900);
    await p.stop();
    expect(stats.maxInFlight).toBe(1);
    const pts = p.series.prefixes.points.filter((x) => x.t < doneAt);
    const gaps = pts.slice(1).map((x, i) => x.t - pts[i]!.t);
    // While routes move, samples come every fast interval (plus the peers poll in between and latency).
    expect(Math.max(...gaps)).toBeLessThan(25 * 2 + 40);
    const m = deriveMilestone(routesComplete(1000, t0), Object.values(p.series))!;
    expect(m).toBeDefined();
    expect(m.t).toBeGreaterThanOrEqual(doneAt);
    expect(m.t - doneAt).toBeLessThanOrEqual(p.resolutionMs().routes);
    expect(m.uncertaintyMs!).toBeLessThanOrEqual(p.resolutionMs().routes);
    expect(p.resolutionMs().routes).toBeLessThan(500 + 60); // finer than the legacy 5 s route polling
    expect([...p.tableSeries.keys()]).toEqual(['vn:a', 'vn:b']);
    expect(p.tableSeries.get('vn:a')!.pendingUpdates.points.at(-1)!.v).toBe(0);
  });

  it('hurry() brings an idle poller back to the fast interval', async () => {
    const { source } = scriptedSource(() => ({ peers: 0, prefixes: 0, pending: 0 }));
    const p = new IntrospectPoller(source, {
      tableRegex: 'x',
      fastMs: 20,
      peersMaxMs: 300,
      routesMaxMs: 300,
    });
    p.start();
    await elapse(700);
    expect(p.intervalsMs().peers).toBe(300);
    const before = p.series.peersUp.points.length;
    p.hurry();
    await elapse(60);
    expect(p.series.peersUp.points.length).toBeGreaterThan(before);
    expect(p.intervalsMs().peers).toBeLessThan(300);
    await p.stop();
  });

  it('setHot keeps a kind at hotMs from the phase start until the milestone, then lets it back off', async () => {
    const { source } = scriptedSource(() => ({ peers: 3, prefixes: 10, pending: 0 }), 2);
    const p = new IntrospectPoller(source, {
      tableRegex: 'x',
      fastMs: 25,
      hotMs: 10,
      peersMaxMs: 400,
      routesMaxMs: 400,
    });
    p.start();
    await elapse(2000);
    expect(p.intervalsMs()).toEqual({ peers: 400, routes: 400 });
    p.setHot(['routes']);
    const from = p.series.prefixes.points.length;
    await elapse(500);
    const hot = p.series.prefixes.points.slice(from);
    const gaps = hot.slice(1).map((x, i) => x.t - hot[i]!.t);
    // Nothing changes, yet routes are sampled every 10 ms plus the 2 ms request (and the odd peers poll).
    expect(hot.length).toBeGreaterThan(30);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10 + 2 + 2 + 1);
    expect(p.intervalsMs().peers).toBe(400);
    // Every sample's request latency is recorded at the sample's time.
    expect(p.series.routesRequestMs.points.at(-1)!.t).toBe(p.series.prefixes.points.at(-1)!.t);
    expect(p.series.routesRequestMs.points.at(-1)!.v).toBeCloseTo(2, 6);
    p.setHot([]);
    await elapse(2000);
    expect(p.intervalsMs().routes).toBe(400);
    await p.stop();
  });

  it('maxBusyShare: after a request that took t, the next waits t x (1/share - 1), so a slow device is never asked back to back', async () => {
    const { source } = scriptedSource(() => ({ peers: 3, prefixes: 10, pending: 0 }), 40);
    const p = new IntrospectPoller(source, { tableRegex: 'x', hotMs: 10, maxBusyShare: 0.5 });
    p.start();
    p.setHot(['routes']);
    await elapse(2000);
    const all = [...p.series.prefixes.points, ...p.series.peersUp.points]
      .map((x) => x.t)
      .sort((a, b) => a - b);
    const gaps = all.slice(1).map((t, i) => t - all[i]!);
    // Each sample is stamped when its 40 ms answer arrived; the next request starts 40 ms after that.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(80 - 1e-6);
    // 2 s at one request per 80 ms: the device answered half the time, never more.
    expect(all.length).toBeLessThanOrEqual(2000 / 80 + 1);
    expect(all.length).toBeGreaterThanOrEqual(2000 / 80 - 2);
    // A request may be in flight: its answer comes on the fake clock.
    const stopped = p.stop();
    await elapse(100);
    await stopped;
  });

  it('a due hot kind goes first, so a device that answers slowly is asked only what the phase waits on', async () => {
    const { source } = scriptedSource(() => ({ peers: 3, prefixes: 10, pending: 0 }), 300);
    const p = new IntrospectPoller(source, { tableRegex: 'x', peersMaxMs: 400, routesMaxMs: 400 });
    p.start();
    await elapse(3000);
    p.setHot(['routes']);
    const peersBefore = p.series.peersUp.points.length;
    const routesBefore = p.series.prefixes.points.length;
    await elapse(3000);
    // Every answer takes 300 ms, longer than any interval: both kinds are always due, routes win each time.
    expect(p.series.peersUp.points.length - peersBefore).toBeLessThanOrEqual(1);
    expect(p.series.prefixes.points.length - routesBefore).toBeGreaterThanOrEqual(9);
    p.setHot([]);
    await elapse(3000);
    expect(p.series.peersUp.points.length - peersBefore).toBeGreaterThan(2);
    const stopped = p.stop();
    await elapse(400);
    await stopped;
  });

  it('survives a failing source and records the error', async () => {
    const p = new IntrospectPoller(
      {
        neighborCount: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8083')),
        routeSummary: () => Promise.resolve([]),
      },
      { tableRegex: 'x', fastMs: 10, peersMaxMs: 50, routesMaxMs: 50 },
    );
    p.start();
    await elapse(150);
    await p.stop();
    expect(p.errors).toBeGreaterThan(0);
    expect(p.lastError).toBe('peers: connect ECONNREFUSED 127.0.0.1:8083');
    expect(p.series.prefixes.last()!.v).toBe(0);
  });

  it('counts every request and every failed one, so a run can say how many answers were garbage', async () => {
    let routeCalls = 0;
    const garbage = 'GET http://127.0.0.1:8083/Snh_ShowRouteSummaryReq: not well-formed XML: unclosed tag';
    const p = new IntrospectPoller(
      {
        neighborCount: () => Promise.resolve(2),
        // Every third route request is answered with broken XML.
        routeSummary: () =>
          ++routeCalls % 3 === 0 ? Promise.reject(new Error(garbage)) : Promise.resolve([]),
      },
      { tableRegex: 'x', fastMs: 10, peersMaxMs: 50, routesMaxMs: 50 },
    );
    p.start();
    await elapse(500);
    await p.stop();
    const failed = Math.floor(routeCalls / 3);
    expect(failed).toBeGreaterThan(2);
    expect(p.errors).toBe(failed);
    // Each answered request is one sample: requests = samples + failures.
    const samples = p.series.peersUp.points.length + p.series.prefixes.points.length;
    expect(p.requests).toBe(samples + failed);
    expect(p.lastError).toBe(`routes: ${garbage}`);
  });
});
