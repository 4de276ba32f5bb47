/**
 * The router's route count in the add phase: its count before the trigger is the baseline, add waits
 * (no longer than the add timeout) for baseline + the load's prefixes, says what the router had when it
 * gave up, and router_routes_time runs from the mark prefix_add_time is timed from.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import type { Observation } from '../../lib/dut/dut.ts';
import type { ExpectedLoad, Load } from '../../lib/load/load.ts';
import type { Milestone } from '../../lib/measure/milestones.ts';
import { Series } from '../../lib/measure/series.ts';
import { ProgressLine } from '../../lib/progress/progress-line.ts';
import { iterationMetrics } from '../../lib/scale/iteration-metrics.ts';
import { add, type PhaseContext, type RouterRoutesWait } from '../../lib/scale/phases.ts';

const EXPECTED: ExpectedLoad = { peers: 2, prefixes: 20, agents: 2, updates: 40 };

/** A control node that holds every prefix `installMs` after the trigger. */
function controlNode(installMs: number) {
  let triggeredAt: number | undefined;
  const installed = () => triggeredAt !== undefined && monotonicMs() >= triggeredAt + installMs;
  const observation = {
    latest: () => ({
      peersUp: EXPECTED.peers,
      prefixes: installed() ? EXPECTED.prefixes : 0,
      pendingUpdates: 0,
      t: monotonicMs(),
    }),
    hot: () => {},
  } satisfies Partial<Observation>;
  const load = {
    expected: () => EXPECTED,
    triggerSends: () => {
      triggeredAt = monotonicMs();
      return Promise.resolve();
    },
  } satisfies Partial<Load<string>>;
  return { observation: observation as unknown as Observation, load: load as unknown as Load<string> };
}

/** A router answering every `everyMs` with the count `countAt(ms since its start)`. */
function router(countAt: (elapsedMs: number) => number | Error, everyMs = 1500) {
  const routes = new Series('router_routes', 'count');
  const state = { lastError: undefined as string | undefined };
  const started = monotonicMs();
  const answer = () => {
    const v = countAt(monotonicMs() - started);
    if (v instanceof Error) state.lastError = v.message;
    else routes.add(v);
    timer = setTimeout(answer, everyMs);
  };
  let timer = setTimeout(answer, everyMs);
  const wait: RouterRoutesWait = {
    router: 'mx1',
    table: 'bgp.l3vpn.0',
    routes,
    lastError: () => state.lastError,
  };
  return { wait, stop: () => clearTimeout(timer) };
}

function context(cn: ReturnType<typeof controlNode>, r: RouterRoutesWait): PhaseContext<string> {
  return {
    load: cn.load,
    ks: [0],
    expected: EXPECTED,
    observations: [cn.observation],
    timeouts: { peersUpSeconds: 5, routesAddSeconds: 5, routesDeleteSeconds: 5, exitSeconds: 5 },
    marks: { start: monotonicMs() },
    events: [],
    notes: [],
    progress: new ProgressLine('router-routes', { sink: { write: () => {}, isTTY: false } }),
    clockResolutionMs: 0.001,
    router: r,
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'hrtime', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs add to the end on fake time; the router stops answering once it has. */
async function runAdd(ctx: PhaseContext<string>, r: { stop: () => void }): Promise<boolean> {
  const done = add(ctx).finally(r.stop);
  await vi.runAllTimersAsync();
  return done;
}

describe('add with a router route count', () => {
  it('waits for the first answer, then for baseline + the added prefixes', async () => {
    const cn = controlNode(400);
    // 7 routes of its own; the load's arrive 2 s after the router's start.
    const r = router((ms) => (ms < 2000 ? 7 : 27), 1000);
    const ctx = context(cn, r.wait);
    const ok = await runAdd(ctx, r);
    expect(ok).toBe(true);
    expect(ctx.notes).toEqual([]);
    expect(r.wait).toMatchObject({ baseline: 7, target: 27 });
    // The trigger came after the router's first answer, and add ended once it held 27.
    const first = r.wait.routes.points[0]!;
    expect(ctx.marks.addTrigger).toBeGreaterThanOrEqual(first.t);
    expect(r.wait.routes.points.at(-1)!.v).toBe(27);
  });

  it('gives up after the add timeout, naming the router, its table, what it had and the target', async () => {
    const cn = controlNode(400);
    const r = router((ms) => (ms < 2000 ? 7 : 17), 1000);
    const ctx = context(cn, r.wait);
    const start = monotonicMs();
    const ok = await runAdd(ctx, r);
    const waited = monotonicMs() - start;
    // The control node got everything: the router's shortfall is a note, not a failed add.
    expect(ok).toBe(true);
    expect(ctx.notes).toEqual([
      'add: router mx1 table bgp.l3vpn.0 holds 27 routes (7 before + 20 added): not reached within 5 s (had 17)',
    ]);
    // First answer at 1 s, then no longer than the add timeout.
    expect(waited).toBeLessThanOrEqual(1000 + 5000 + 50);
  });

  it('without any answer before the trigger there is no target, and a note with the last error', async () => {
    const cn = controlNode(400);
    const r = router(() => new Error("router mx1: showRouteSummaryCommand 'cli' exited 1: error: syntax"));
    const ctx = context(cn, r.wait);
    const ok = await runAdd(ctx, r);
    expect(ok).toBe(true);
    expect(r.wait.target).toBeUndefined();
    expect(ctx.notes).toEqual([
      "add: router mx1 table bgp.l3vpn.0: no route count before the add trigger within 5 s (last error: router mx1: showRouteSummaryCommand 'cli' exited 1: error: syntax)",
    ]);
  });
});

describe('router_routes_time', () => {
  const reached = (t: number, lo: number): Milestone => ({
    name: 'router_has_routes',
    t,
    wall: 0,
    lo,
    uncertaintyMs: t - lo,
  });

  it('runs from the route feed start to the middle of the router bracket, known to half of it', () => {
    const r = iterationMetrics({
      marks: { start: 0, addTrigger: 1000, feedStart: 3000 },
      milestones: { routerRoutes: reached(6000, 4500) },
      expected: EXPECTED,
      clockResolutionMs: 0.001,
    });
    expect(r.router_routes_time).toEqual({ value: 2.25, unit: 's', resolution: 0.75 });
  });

  it('falls back to the add trigger, and its bracket never reaches back before the mark', () => {
    const r = iterationMetrics({
      marks: { start: 0, addTrigger: 1000 },
      milestones: { routerRoutes: reached(2500, 500) },
      expected: EXPECTED,
      clockResolutionMs: 0.001,
    });
    expect(r.router_routes_time).toEqual({ value: 0.75, unit: 's', resolution: 0.75 });
  });

  it('is missing when the router never held the routes', () => {
    const r = iterationMetrics({
      marks: { start: 0, addTrigger: 1000 },
      milestones: {},
      expected: EXPECTED,
      clockResolutionMs: 0.001,
    });
    expect(r.router_routes_time).toBeUndefined();
  });
});
