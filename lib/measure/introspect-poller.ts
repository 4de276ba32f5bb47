/**
 * Polls a control node's introspect (lib/contrail IntrospectClient or anything with the same two calls)
 * and writes series: peers_up, prefixes, paths, primary_paths, secondary_paths, infeasible_paths,
 * pending_updates (summed over the tables matching `tableRegex`), optionally per table.
 *
 * Adaptive: each kind (peers, routes) is polled every `fastMs` while its values change or a milestone is
 * near (peers within 10% of the target, prefixes within 10% of the target, pending updates > 0, or after
 * `hurry()`), doubling its interval while idle up to `peersMaxMs` / `routesMaxMs` (1 s: a held lab costs
 * little; what the pipeline waits for is polled hot, see setHot). Exactly one request is in flight at a
 * time, so the poller never adds more than one concurrent introspect request to the control node's load.
 *
 * API:
 * - `new IntrospectPoller(source, { tableRegex, fastMs = 25, hotMs = 10, peersMaxMs = 1000, routesMaxMs = 1000,
 *    targets?: {peers?, prefixes?}, perTable?, kind = 'xmpp', makeSeries?, onSample?, maxBusyShare = 1 })`
 * - `poller.start()`, `await poller.stop()` (waits for the request in flight, closes series).
 * - `poller.hurry()`: poll fast now; `poller.setHot(['routes'])`: poll those kinds every hotMs (no back-off)
 *   until `setHot([])` — from a phase start the pipeline caused until its milestone is met.
 * - `poller.setTargets({peers, prefixes})`.
 * - `poller.series` {peersUp, prefixes, paths, primaryPaths, secondaryPaths, infeasiblePaths, pendingUpdates,
 *   peersRequestMs, routesRequestMs} (names from milestones.ts SERIES plus the path kinds; the request
 *   series hold each sample's request latency at the sample's time); `poller.tableSeries` when perTable.
 * - `poller.resolutionMs()` -> {peers, routes}: the largest gap between consecutive samples of that kind,
 *   plus the request latency before it — the bracket a milestone derived from these samples can have.
 * - `poller.requests`, `poller.errors`, `poller.lastError`, `poller.snapshot()` (latest values, for progress).
 */
import type { RouteTableSummary } from '../contrail/introspect-client.ts';
import { monotonicMs, wakeableSleep } from '../clock.ts';
import { SERIES } from './milestones.ts';
import { Series } from './series.ts';

/** The route-table fields the poller reads (lib/contrail's IntrospectClient returns more). */
export type PollKind = 'peers' | 'routes';

export type PolledRouteTable = Omit<RouteTableSummary, 'raw' | 'markers'> & { markers?: number };

export interface IntrospectSource {
  neighborCount(kind: 'xmpp' | 'bgp', state: 'up' | 'down'): Promise<number>;
  routeSummary(regex: string): Promise<PolledRouteTable[]>;
}

export interface PollSnapshot {
  peersUp: number | undefined;
  prefixes: number | undefined;
  paths: number | undefined;
  pendingUpdates: number | undefined;
  tables: number | undefined;
  /** Monotonic ms of the latest sample. */
  t: number | undefined;
}

export interface IntrospectPollerOptions {
  /** Regex on table names, as ShowRouteSummaryReq's search_string (e.g. 'c42_t41_.*\\.inet\\.0'). */
  tableRegex: string;
  fastMs?: number;
  /** Interval of a hot kind: a milestone the pipeline awaits is known within about this plus two requests. */
  hotMs?: number;
  peersMaxMs?: number;
  routesMaxMs?: number;
  targets?: { peers?: number; prefixes?: number };
  perTable?: boolean;
  /** Peers counted: XMPP agents (default) or BGP peers. */
  kind?: 'xmpp' | 'bgp';
  makeSeries?: (name: string, unit: string) => Series;
  onSample?: (s: PollSnapshot) => void;
  /**
   * Share of the time (0..1] the poller may keep the device answering: after a request that took t ms the
   * next waits t x (1 / share - 1). A device that answers its management queries on the thread that
   * handles routes is slowed by being asked back to back; default 1 (no pause).
   */
  maxBusyShare?: number;
}

type Kind = PollKind;

interface Schedule {
  intervalMs: number;
  maxMs: number;
  nextAt: number;
  lastT: number | undefined;
  lastLatency: number;
  maxGapMs: number;
  last: string | undefined;
}

export class IntrospectPoller {
  readonly series: {
    peersUp: Series;
    prefixes: Series;
    paths: Series;
    primaryPaths: Series;
    secondaryPaths: Series;
    infeasiblePaths: Series;
    pendingUpdates: Series;
    peersRequestMs: Series;
    routesRequestMs: Series;
  };
  readonly tableSeries = new Map<string, { prefixes: Series; pendingUpdates: Series }>();
  requests = 0;
  errors = 0;
  lastError: string | undefined;
  private readonly fastMs: number;
  private readonly hotMs: number;
  private readonly sched: Record<Kind, Schedule>;
  private targets: { peers?: number; prefixes?: number };
  private readonly makeSeries: (name: string, unit: string) => Series;
  private hotKinds = new Set<Kind>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** No request before this (monotonic ms): the pause maxBusyShare asks for after the last request. */
  private quietUntil = 0;
  private latest: PollSnapshot = {
    peersUp: undefined,
    prefixes: undefined,
    paths: undefined,
    pendingUpdates: undefined,
    tables: undefined,
    t: undefined,
  };

  constructor(
    private readonly source: IntrospectSource,
    private readonly opts: IntrospectPollerOptions,
  ) {
    this.fastMs = opts.fastMs ?? 25;
    this.hotMs = Math.min(opts.hotMs ?? 10, this.fastMs);
    const sched = (maxMs: number): Schedule => ({
      intervalMs: this.fastMs,
      maxMs,
      nextAt: 0,
      lastT: undefined,
      lastLatency: 0,
      maxGapMs: 0,
      last: undefined,
    });
    this.sched = { peers: sched(opts.peersMaxMs ?? 1000), routes: sched(opts.routesMaxMs ?? 1000) };
    if (this.sched.peers.maxMs < this.fastMs || this.sched.routes.maxMs < this.fastMs) {
      throw new Error(`introspect poller: max intervals must be >= fastMs (${this.fastMs} ms)`);
    }
    this.targets = { ...opts.targets };
    this.makeSeries =
      opts.makeSeries ?? ((name, unit) => new Series(name, unit, { meta: { tableRegex: opts.tableRegex } }));
    const m = this.makeSeries;
    this.series = {
      peersUp: m(SERIES.peersUp, 'count'),
      prefixes: m(SERIES.prefixes, 'count'),
      paths: m(SERIES.paths, 'count'),
      primaryPaths: m('primary_paths', 'count'),
      secondaryPaths: m('secondary_paths', 'count'),
      infeasiblePaths: m('infeasible_paths', 'count'),
      pendingUpdates: m(SERIES.pendingUpdates, 'count'),
      peersRequestMs: m('peers_request_ms', 'ms'),
      routesRequestMs: m('routes_request_ms', 'ms'),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  hurry(): void {
    const now = monotonicMs();
    for (const s of Object.values(this.sched)) {
      s.intervalMs = this.fastMs;
      s.nextAt = Math.min(s.nextAt, now);
    }
    this.wake?.();
  }

  /** Kinds polled every hotMs without back-off until the next setHot (a milestone the pipeline awaits). */
  setHot(kinds: readonly Kind[]): void {
    this.hotKinds = new Set(kinds);
    const now = monotonicMs();
    for (const k of kinds) {
      this.sched[k].intervalMs = this.hotMs;
      this.sched[k].nextAt = Math.min(this.sched[k].nextAt, now);
    }
    this.wake?.();
  }

  setTargets(t: { peers?: number; prefixes?: number }): void {
    this.targets = { ...this.targets, ...t };
    this.hurry();
  }

  resolutionMs(): { peers: number; routes: number } {
    return { peers: this.sched.peers.maxGapMs, routes: this.sched.routes.maxGapMs };
  }

  /** Current polling intervals (ms), for display and tests. */
  intervalsMs(): { peers: number; routes: number } {
    return { peers: this.sched.peers.intervalMs, routes: this.sched.routes.intervalMs };
  }

  snapshot(): PollSnapshot {
    return { ...this.latest };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    const all = [
      ...Object.values(this.series),
      ...[...this.tableSeries.values()].flatMap((t) => [t.prefixes, t.pendingUpdates]),
    ];
    await Promise.all(all.map((s) => s.close()));
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const kind = this.nextKind();
      const wait = Math.max(this.sched[kind].nextAt, this.quietUntil) - monotonicMs();
      if (wait > 0) {
        const delay = wakeableSleep(wait);
        this.wake = delay.wake;
        await delay.done;
        this.wake = undefined;
        continue; // re-pick: hurry() or stop() may have changed the plan
      }
      await this.poll(kind);
    }
  }

  /**
   * The kind due first; but a kind a phase does not wait on goes before a hot one only when its last
   * answer time fits in the hot kind's pause. A device that answers in seconds would otherwise be asked
   * both in turn, halving the rate of the kind the phase waits on.
   */
  private nextKind(): Kind {
    const [first, second]: [Kind, Kind] =
      this.sched.peers.nextAt <= this.sched.routes.nextAt ? ['peers', 'routes'] : ['routes', 'peers'];
    const delaysHot =
      !this.hotKinds.has(first) &&
      this.hotKinds.has(second) &&
      monotonicMs() + this.sched[first].lastLatency > this.sched[second].nextAt;
    return delaysHot ? second : first;
  }

  private async poll(kind: Kind): Promise<void> {
    const s = this.sched[kind];
    const sent = monotonicMs();
    const share = this.opts.maxBusyShare ?? 1;
    const pause = () => {
      const done = monotonicMs();
      this.quietUntil = done + (done - sent) * (1 / share - 1);
    };
    this.requests++;
    let signature: string;
    let near: boolean;
    try {
      if (kind === 'peers') {
        const up = await this.source.neighborCount(this.opts.kind ?? 'xmpp', 'up');
        const t = monotonicMs();
        this.series.peersUp.add(up, t);
        this.series.peersRequestMs.add(t - sent, t);
        this.latest = { ...this.latest, peersUp: up, t };
        signature = String(up);
        const target = this.targets.peers;
        near = target !== undefined && up < target && up >= 0.9 * target;
      } else {
        const tables = await this.source.routeSummary(this.opts.tableRegex);
        const t = monotonicMs();
        const sum = (k: keyof PolledRouteTable) => tables.reduce((a, tb) => a + (Number(tb[k]) || 0), 0);
        const prefixes = sum('prefixes');
        const pending = sum('pendingUpdates');
        this.series.prefixes.add(prefixes, t);
        this.series.paths.add(sum('paths'), t);
        this.series.primaryPaths.add(sum('primaryPaths'), t);
        this.series.secondaryPaths.add(sum('secondaryPaths'), t);
        this.series.infeasiblePaths.add(sum('infeasiblePaths'), t);
        this.series.pendingUpdates.add(pending, t);
        this.series.routesRequestMs.add(t - sent, t);
        if (this.opts.perTable) this.addPerTable(tables, t);
        this.latest = {
          ...this.latest,
          prefixes,
          paths: sum('paths'),
          pendingUpdates: pending,
          tables: tables.length,
          t,
        };
        signature = `${prefixes}/${pending}/${sum('paths')}`;
        const target = this.targets.prefixes;
        near = pending > 0 || (target !== undefined && prefixes < target && prefixes >= 0.9 * target);
      }
    } catch (err) {
      pause();
      this.errors++;
      this.lastError = `${kind}: ${(err as Error).message}`;
      // A node that is down (restart) comes back quickly: a hot kind keeps asking.
      s.intervalMs = this.hotKinds.has(kind) ? this.fastMs : s.maxMs;
      s.nextAt = monotonicMs() + s.intervalMs;
      return;
    }
    pause();
    const now = monotonicMs();
    if (s.lastT !== undefined) s.maxGapMs = Math.max(s.maxGapMs, now - s.lastT + s.lastLatency);
    s.lastT = now;
    s.lastLatency = now - sent;
    const changed = s.last !== undefined && s.last !== signature;
    s.last = signature;
    s.intervalMs = this.hotKinds.has(kind)
      ? this.hotMs
      : changed || near
        ? this.fastMs
        : Math.min(s.intervalMs * 2, s.maxMs);
    s.nextAt = now + s.intervalMs;
    this.opts.onSample?.(this.snapshot());
  }

  private addPerTable(tables: PolledRouteTable[], t: number): void {
    for (const tb of tables) {
      let ts = this.tableSeries.get(tb.name);
      if (!ts) {
        ts = {
          prefixes: this.makeSeries(`${SERIES.prefixes}:${tb.name}`, 'count'),
          pendingUpdates: this.makeSeries(`${SERIES.pendingUpdates}:${tb.name}`, 'count'),
        };
        this.tableSeries.set(tb.name, ts);
      }
      ts.prefixes.add(tb.prefixes, t);
      ts.pendingUpdates.add(tb.pendingUpdates, t);
    }
  }
}
