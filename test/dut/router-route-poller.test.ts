import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import { routerSchema } from '../../lib/config/lab-schema.ts';
import { RouterCheck } from '../../lib/dut/junos-router.ts';
import { ROUTER_SERIES, RouterRoutePoller } from '../../lib/dut/router-route-poller.ts';
import { scriptedHost } from './scripted-host.ts';

const config = routerSchema.parse({ host: 'mx80' });

/** `show route summary` of a router whose bgp.l3vpn.0 holds `routes` routes (half of them hidden). */
function summary(routes: number): string {
  return [
    'Autonomous system number: 64512',
    'Router ID: 10.84.7.250',
    '',
    'inet.0: 26 destinations, 27 routes (26 active, 0 holddown, 0 hidden)',
    '              Direct:      6 routes,      5 active',
    '',
    `bgp.l3vpn.0: ${routes} destinations, ${routes} routes (${routes - Math.floor(routes / 2)} active, 0 holddown, ${Math.floor(routes / 2)} hidden)`,
    `                 BGP:   ${routes} routes,   ${routes - Math.floor(routes / 2)} active`,
    '',
  ].join('\n');
}

// The poller's timers, its monotonic clock and the host's latency all run on the fake clock: samples,
// intervals and brackets are exact whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'hrtime', 'performance', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('RouterRoutePoller', () => {
  it('samples the table every interval, one request at a time, and brackets the milestone around the truth', async () => {
    const t0 = monotonicMs();
    // The router learns 1200 routes between 1 s and 3 s after t0: the milestone truly happens at t0 + 3000.
    const routesAt = (now: number) => Math.max(0, Math.min(1200, Math.floor((now - t0 - 1000) * 0.6)));
    const reachedAt = t0 + 3000;
    const host = scriptedHost('mx80', (_cmd, now) => ({ stdout: summary(routesAt(now)) }), 150);
    const p = new RouterRoutePoller(new RouterCheck({ host, config }), { intervalMs: 500 });
    p.start();
    await elapse(5000);
    await p.stop();

    expect(host.maxInFlight).toBe(1);
    expect(host.commands.every((c) => c === config.showRouteSummaryCommand)).toBe(true);
    const pts = p.series.routes.points;
    // A request every 500 ms from its start, each answered 150 ms later.
    expect(pts.map((x) => x.t - t0)).toEqual([150, 650, 1150, 1650, 2150, 2650, 3150, 3650, 4150, 4650]);
    expect(p.series.requestMs.values().every((v) => v === 150)).toBe(true);
    expect(p.series.routes.name).toBe(ROUTER_SERIES.routes);
    expect(p.series.routes.last()!.v).toBe(1200);

    const m = p.milestone(1200, { after: t0 })!;
    expect(m.name).toBe('router_has_routes');
    expect(m.t).toBeGreaterThanOrEqual(reachedAt);
    expect(m.lo!).toBeLessThanOrEqual(reachedAt);
    // The sample before it answered at 2650 ms; its request left at 2500 ms.
    expect([m.lo! - t0, m.t - t0]).toEqual([2500, 3150]);
    expect(m.uncertaintyMs).toBeLessThanOrEqual(p.resolutionMs());
    expect(p.resolutionMs()).toBe(500 + 150);
    expect(p.milestone(1201, { after: t0 })).toBeUndefined();
  });

  it('counts destinations or active routes when asked', async () => {
    const host = scriptedHost('mx80', () => ({ stdout: summary(100) }), 10);
    const p = new RouterRoutePoller(new RouterCheck({ host, config }), { intervalMs: 100, count: 'active' });
    p.start();
    await elapse(50);
    await p.stop();
    expect(p.series.routes.values()).toEqual([50]);
  });

  it('finds the withdrawal milestone (at most N routes)', async () => {
    const t0 = monotonicMs();
    const host = scriptedHost('mx80', (_c, now) => ({ stdout: summary(now - t0 < 2000 ? 800 : 0) }), 20);
    const p = new RouterRoutePoller(new RouterCheck({ host, config }), { intervalMs: 300 });
    p.start();
    await elapse(3000);
    await p.stop();
    const m = p.milestone(0, { after: t0, reach: 'at-most' })!;
    expect(m.t - t0).toBe(2120);
    expect(m.lo! - t0).toBe(1800);
  });

  it('keeps polling through failures and records the last error, naming the router', async () => {
    const t0 = monotonicMs();
    const host = scriptedHost(
      'mx80',
      (_c, now) =>
        now - t0 < 1000
          ? { code: 255, stderr: 'ssh: connect to host 10.84.7.250 port 22: Connection refused' }
          : { stdout: summary(7) },
      10,
    );
    const p = new RouterRoutePoller(new RouterCheck({ host, config }), { intervalMs: 200 });
    p.start();
    await elapse(1500);
    await p.stop();
    expect(p.errors).toBe(5);
    expect(p.lastError).toBe(
      `router mx80: showRouteSummaryCommand 'cli -c "show route summary"' exited 255: ssh: connect to host 10.84.7.250 port 22: Connection refused`,
    );
    expect(p.series.routes.points.map((x) => [x.t - t0, x.v])).toEqual([
      [1010, 7],
      [1210, 7],
      [1410, 7],
    ]);
  });

  it('stop() abandons a request in flight instead of waiting for a slow router', async () => {
    const host = scriptedHost('mx80', () => ({ stdout: summary(1) }), 60_000);
    const p = new RouterRoutePoller(new RouterCheck({ host, config }), { intervalMs: 1000 });
    p.start();
    await elapse(10);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await elapse(0);
    await stopping;
    expect(stopped).toBe(true);
    expect(p.errors).toBe(0);
    expect(p.series.routes.points).toEqual([]);
  });
});
