/**
 * The phases of one scale iteration, each a small unit over a PhaseContext (the load, the device's
 * observation of this iteration, marks, notes), the way the legacy flap_agent_scale_test.py ran them:
 *
 *   bringUp   start the load, wait until every peer is up
 *   add       trigger the sends, wait until every prefix is in and nothing is pending (and, with a
 *             router check, until the router holds them on top of what it had before the trigger)
 *   hold      keep the routes for a while
 *   flap      drop every generator (sessions close without withdrawing), reconnect, re-feed; per flap
 *   withdraw  end the hold, wait until every prefix is gone
 *   finish    wait for the generators to exit, stop the rest
 *
 * Each phase makes the observation hot for what it waits on from the moment it acts until its
 * milestone is met, so the bracket of every timed milestone is one fast sampling interval. A wait
 * that times out is not an exception: the milestone stays missing, a note says what was seen, and
 * the thresholds fail on it.
 */
import { monotonicMs, sleep } from '../clock.ts';
import type { DutState, Observation, ObservedKind } from '../dut/dut.ts';
import type { ExpectedLoad, Load, LoadEvent, LoadEventKind } from '../load/load.ts';
import {
  allPeersUp,
  firstPeerUp,
  prefixesAtMost,
  routesComplete,
  type MilestoneSpec,
} from '../measure/milestones.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import type { SeriesData, SeriesPoint } from '../measure/series.ts';
import type { ProgressLine } from '../progress/progress-line.ts';
import {
  spanTo,
  type ChurnTimes,
  type FlapTimes,
  type IterationTimeline,
  type TimedSpan,
} from './iteration-metrics.ts';

export interface PhaseTimeouts {
  peersUpSeconds: number;
  routesAddSeconds: number;
  routesDeleteSeconds: number;
  exitSeconds: number;
}

/** One group of iterations run together (one, or all of them when parallel). */
export interface PhaseContext<Scope> {
  load: Load<Scope>;
  ks: readonly number[];
  /** Totals over the group. */
  expected: ExpectedLoad;
  /** One observation per member of the group, in ks order. */
  observations: readonly Observation[];
  timeouts: PhaseTimeouts;
  marks: IterationTimeline['marks'];
  /** Everything the generators reported during this group, in arrival order. */
  events: readonly LoadEvent[];
  notes: string[];
  progress: ProgressLine;
  clockResolutionMs: number;
  signal?: AbortSignal;
  /** The router's route count, when the scenario checks the router and verifies routes. */
  router?: RouterRoutesWait;
}

/**
 * What add needs of the router's route poller (lib/dut/router-route-poller.ts), and what it leaves for
 * the iteration's figures: the count before the trigger and the count the load's routes bring it to.
 */
export interface RouterRoutesWait {
  /** The router's host name and table, for notes. */
  readonly router: string;
  readonly table: string;
  /** The poller's route counts, stamped when each answer arrived. */
  readonly routes: SeriesData;
  /** Why the router's latest failed request failed. */
  lastError(): string | undefined;
  /** Set by add: the count before the trigger, and that plus the prefixes the load adds. */
  baseline?: number;
  target?: number;
}

const WAIT_INTERVAL_MS = 20;

export function latestOf(observations: readonly Observation[]): DutState {
  const all = observations.map((o) => o.latest());
  return {
    peersUp: all.reduce((a, s) => a + s.peersUp, 0),
    prefixes: all.reduce((a, s) => a + s.prefixes, 0),
    pendingUpdates: all.reduce((a, s) => a + s.pendingUpdates, 0),
    t: Math.max(...all.map((s) => s.t ?? 0)),
  };
}

function hot<S>(ctx: PhaseContext<S>, kinds: readonly ObservedKind[]): void {
  for (const o of ctx.observations) o.hot(kinds);
}

/** The first event of `kind` at or after `after`. */
export function firstEvent<S>(ctx: PhaseContext<S>, kind: LoadEventKind, after: number): number | undefined {
  return ctx.events.find((e) => e.kind === kind && e.t >= after)?.t;
}

/**
 * When the generators began bringing their peers up: the first such line we read, but no later than
 * the last sample before the device showed a peer up. A line is stamped when it reaches us; read late
 * (a busy pipe or SSH channel), it must not start the span after the sessions it announced.
 */
function bringUpFrom<S>(ctx: PhaseContext<S>, after: number): number | undefined {
  const said = firstEvent(ctx, 'bring-up-start', after);
  const before = ctx.observations
    .map((o) => o.milestone({ ...firstPeerUp(), after }, 'peers')?.lo)
    .filter((lo): lo is number => lo !== undefined)
    .map((lo) => Math.max(lo, after));
  return said === undefined || before.length === 0 ? said : Math.min(said, ...before);
}

/** Waits until `done` holds over the group's latest state; a note instead of an exception on timeout. */
async function waitUntil<S>(
  ctx: PhaseContext<S>,
  what: string,
  done: (s: DutState) => boolean,
  timeoutS: number,
): Promise<boolean> {
  const e = ctx.expected;
  const r = await runAndExpect(
    () => {
      const s = latestOf(ctx.observations);
      ctx.progress.update({
        peers: [s.peersUp, e.peers],
        prefixes: [s.prefixes, e.prefixes],
        pending: s.pendingUpdates,
      });
      return done(s);
    },
    true,
    { timeoutMs: timeoutS * 1000, intervalMs: WAIT_INTERVAL_MS, signal: ctx.signal },
  );
  if (!r.ok) {
    const s = latestOf(ctx.observations);
    ctx.notes.push(
      `${what}: not reached within ${timeoutS} s (peers ${s.peersUp}/${e.peers}, prefixes ${s.prefixes}/${e.prefixes}, pending_updates ${s.pendingUpdates})`,
    );
  }
  return r.ok;
}

const allUp = (e: ExpectedLoad) => (s: DutState) => s.peersUp >= e.peers;
const routesIn = (e: ExpectedLoad) => (s: DutState) => s.prefixes >= e.prefixes && s.pendingUpdates === 0;

async function eachMember<S>(ctx: PhaseContext<S>, fn: (k: number) => Promise<unknown>): Promise<void> {
  await Promise.all(ctx.ks.map(fn));
}

export async function bringUp<S>(ctx: PhaseContext<S>): Promise<boolean> {
  hot(ctx, ['peers']);
  ctx.marks.start = monotonicMs();
  await eachMember(ctx, (k) => ctx.load.start(k));
  const up = await waitUntil(ctx, 'bring-up: all peers up', allUp(ctx.expected), ctx.timeouts.peersUpSeconds);
  ctx.marks.bringUpStart = bringUpFrom(ctx, ctx.marks.start);
  hot(ctx, []);
  return up;
}

export async function add<S>(ctx: PhaseContext<S>): Promise<boolean> {
  const router = ctx.router;
  const routerTarget = router && (await routerBaseline(ctx, router));
  hot(ctx, ['routes']);
  const trigger = monotonicMs();
  ctx.marks.addTrigger = trigger;
  await eachMember(ctx, (k) => ctx.load.triggerSends(k));
  // The router is waited for alongside, from the same trigger and no longer: the delete that follows
  // would take the routes away before it could count them.
  const [ok] = await Promise.all([
    waitUntil(
      ctx,
      'add: all prefixes in with pending_updates 0',
      routesIn(ctx.expected),
      ctx.timeouts.routesAddSeconds,
    ),
    router && routerTarget !== undefined && routerHoldsTarget(ctx, router, routerTarget, trigger),
  ]);
  ctx.marks.feedStart = firstEvent(ctx, 'feed-start', ctx.marks.addTrigger);
  hot(ctx, []);
  return ok;
}

/**
 * The router's count before the trigger (its latest answer, or the first one when none has arrived yet:
 * a router's CLI can take seconds) and the count the load's prefixes bring it to. Undefined, with a
 * note, when the router does not answer within the add timeout.
 */
async function routerBaseline<S>(ctx: PhaseContext<S>, r: RouterRoutesWait): Promise<number | undefined> {
  const timeoutS = ctx.timeouts.routesAddSeconds;
  const answered = await runAndExpect(() => r.routes.points.length > 0, true, {
    timeoutMs: timeoutS * 1000,
    intervalMs: WAIT_INTERVAL_MS,
    signal: ctx.signal,
  });
  const last = r.routes.points.at(-1);
  if (!answered.ok || !last) {
    ctx.notes.push(
      `add: router ${r.router} table ${r.table}: no route count before the add trigger within ${timeoutS} s (last error: ${r.lastError() ?? 'none'})`,
    );
    return undefined;
  }
  r.baseline = last.v;
  r.target = last.v + ctx.expected.prefixes;
  return r.target;
}

/** Waits until a count taken after the trigger reaches the target; a note naming what the router had. */
async function routerHoldsTarget<S>(
  ctx: PhaseContext<S>,
  r: RouterRoutesWait,
  target: number,
  trigger: number,
): Promise<void> {
  const latestAfter = () => {
    const last = r.routes.points.at(-1);
    return last && last.t > trigger ? last.v : undefined;
  };
  const timeoutS = ctx.timeouts.routesAddSeconds;
  const held = await runAndExpect(() => (latestAfter() ?? -1) >= target, true, {
    timeoutMs: timeoutS * 1000,
    intervalMs: WAIT_INTERVAL_MS,
    signal: ctx.signal,
  });
  if (held.ok) return;
  const last = r.routes.points.at(-1)!;
  const had = last.t > trigger ? `had ${last.v}` : `had ${last.v}, no answer since the trigger`;
  const error = r.lastError();
  ctx.notes.push(
    `add: router ${r.router} table ${r.table} holds ${target} routes (${r.baseline} before + ${ctx.expected.prefixes} added): ` +
      `not reached within ${timeoutS} s (${had}${error ? `; last error: ${error}` : ''})`,
  );
}

export async function hold<S>(ctx: PhaseContext<S>, seconds: number): Promise<void> {
  const from = monotonicMs();
  // Holding is the scenario's behaviour, not a wait for something.
  await sleep(seconds * 1000, ctx.signal);
  // What was held must stay: a dip means the device (or the load) lost it meanwhile.
  ctx.observations.forEach((o, i) => {
    const k = ctx.ks[i]!;
    const e = ctx.load.expected(k);
    const low = (points: readonly SeriesPoint[], target: number) =>
      points.filter((p) => p.t >= from && p.v < target).sort((a, b) => a.v - b.v)[0];
    const peers = low(o.series.peersUp.points, e.peers);
    const prefixes = low(o.series.prefixes.points, e.prefixes);
    const first = [peers, prefixes].filter((p) => p !== undefined).sort((a, b) => a.t - b.t)[0];
    if (first)
      ctx.notes.push(
        `hold: scenario iteration ${k + 1} lost what it held ${((first.t - from) / 1000).toFixed(1)} s into the hold: ` +
          `XMPP peers down to ${peers?.v ?? e.peers} of ${e.peers}, prefixes down to ${prefixes?.v ?? e.prefixes} of ${e.prefixes}`,
      );
  });
}

/** The span from `after` to the last member reaching its milestone (undefined while one has not). */
function lastOfMembers<S>(
  ctx: PhaseContext<S>,
  spec: (e: ExpectedLoad, k: number) => MilestoneSpec,
  kind: ObservedKind,
  after: number,
): TimedSpan | undefined {
  const ms = ctx.observations.map((o, i) => {
    const k = ctx.ks[i]!;
    return o.milestone({ ...spec(ctx.load.expected(k), k), after }, kind);
  });
  if (ms.some((m) => m === undefined)) return undefined;
  const last = ms.reduce((a, b) => (b!.t > a!.t ? b : a))!;
  return spanTo(after, last, ctx.clockResolutionMs);
}

/**
 * Generators drop (killed: the sessions close without a withdraw, as when a compute node dies) and
 * reconnect. Re-convergence is timed from the generators' own "feeding routes" after the reconnect to
 * every prefix back with pending_updates 0; the reconnect from their "bringing up" to every peer up
 * again. One entry per completed flap.
 */
export async function flap<S>(ctx: PhaseContext<S>, flaps: number): Promise<FlapTimes[]> {
  const out: FlapTimes[] = [];
  for (let i = 1; i <= flaps; i++) {
    ctx.progress.update({ note: `flap ${i}/${flaps}` });
    hot(ctx, ['peers', 'routes']);
    await eachMember(ctx, (k) => ctx.load.drop(k));
    const down = await waitUntil(
      ctx,
      `flap ${i}: sessions down and routes gone`,
      (s) => s.peersUp === 0 && s.prefixes === 0,
      ctx.timeouts.routesDeleteSeconds,
    );
    if (!down) break;
    hot(ctx, ['peers']);
    const reconnect = monotonicMs();
    await eachMember(ctx, (k) => ctx.load.start(k));
    if (
      !(await waitUntil(
        ctx,
        `flap ${i}: all peers up again`,
        allUp(ctx.expected),
        ctx.timeouts.peersUpSeconds,
      ))
    )
      break;
    const upFrom = bringUpFrom(ctx, reconnect) ?? reconnect;
    hot(ctx, ['routes']);
    const trigger = monotonicMs();
    await eachMember(ctx, (k) => ctx.load.triggerSends(k));
    if (
      !(await waitUntil(
        ctx,
        `flap ${i}: all prefixes back`,
        routesIn(ctx.expected),
        ctx.timeouts.routesAddSeconds,
      ))
    )
      break;
    const feedFrom = firstEvent(ctx, 'feed-start', trigger) ?? trigger;
    out.push({
      reconnect: lastOfMembers(ctx, (e) => allPeersUp(e.peers), 'peers', upFrom),
      reconvergence: lastOfMembers(ctx, (e) => routesComplete(e.prefixes), 'routes', feedFrom),
    });
  }
  hot(ctx, []);
  ctx.progress.update({ note: undefined });
  return out;
}

/**
 * Churn: `rounds` times, every generator withdraws a `share` of its prefixes and, once the device holds
 * that many fewer, announces them again until it holds all. Each half is timed from the command to the
 * device's count (the generators write at once: no trigger file to wait for). One entry per completed round.
 */
export async function churn<S>(ctx: PhaseContext<S>, rounds: number, share: number): Promise<ChurnTimes[]> {
  const { load } = ctx;
  if (!load.churn || !load.churnedPrefixes)
    throw new Error(`churn: the load ${load.name} cannot withdraw and re-announce part of its routes`);
  const churnStep = load.churn.bind(load);
  const removed = (k: number) => load.churnedPrefixes!(k, share);
  const removedAll = ctx.ks.reduce((n, k) => n + removed(k), 0);
  const out: ChurnTimes[] = [];
  for (let i = 1; i <= rounds; i++) {
    ctx.progress.update({ note: `churn ${i}/${rounds}` });
    hot(ctx, ['routes']);
    const withdrawFrom = monotonicMs();
    await eachMember(ctx, (k) => churnStep(k, 'withdraw', share));
    const target = ctx.expected.prefixes - removedAll;
    if (
      !(await waitUntil(
        ctx,
        `churn ${i}: ${removedAll} prefixes withdrawn`,
        (st) => st.prefixes <= target,
        ctx.timeouts.routesDeleteSeconds,
      ))
    )
      break;
    const withdrawn = lastOfMembers(
      ctx,
      (e, k) => prefixesAtMost(e.prefixes - removed(k)),
      'routes',
      withdrawFrom,
    );
    const announceFrom = monotonicMs();
    await eachMember(ctx, (k) => churnStep(k, 'announce', share));
    if (
      !(await waitUntil(
        ctx,
        `churn ${i}: every prefix back`,
        routesIn(ctx.expected),
        ctx.timeouts.routesAddSeconds,
      ))
    )
      break;
    out.push({
      withdraw: withdrawn,
      announce: lastOfMembers(ctx, (e) => routesComplete(e.prefixes), 'routes', announceFrom),
    });
  }
  hot(ctx, []);
  ctx.progress.update({ note: undefined });
  return out;
}

export async function withdraw<S>(ctx: PhaseContext<S>, timed: boolean): Promise<void> {
  hot(ctx, ['routes']);
  if (timed) ctx.marks.deleteTrigger = monotonicMs();
  await eachMember(ctx, (k) => ctx.load.withdraw(k));
  await waitUntil(
    ctx,
    'delete: all prefixes withdrawn',
    (s) => s.prefixes === 0,
    ctx.timeouts.routesDeleteSeconds,
  );
  hot(ctx, []);
}

export async function finish<S>(ctx: PhaseContext<S>): Promise<void> {
  await eachMember(ctx, async (k) => ctx.notes.push(...(await ctx.load.finish(k, ctx.timeouts.exitSeconds))));
}
