/**
 * Polls the route count of the router's configured table (routers[].routeTable, `show route summary` over
 * the router's Host) into a Series, the way introspect-poller.ts polls a control node: each sample stamped
 * with the monotonic clock when its answer arrived, each request's latency recorded at the sample's time, one
 * request in flight. The milestone "router has N routes" is derived from those samples with its bracket,
 * widened back to when the last not-yet request was sent.
 *
 * The interval is fixed (default 1 s): every poll is a CLI session on the router's routing engine, and a
 * router is not the device under test, so it is not polled hot.
 *
 *   const p = new RouterRoutePoller(new RouterCheck(lab.routers[0]), { intervalMs: 1000 });
 *   p.start();  ...  await p.stop();
 *   p.series.routes (router_routes, count), p.series.requestMs (router_routes_request_ms, ms)
 *   p.milestone(1200, { after: addMark }) -> Milestone | undefined; p.resolutionMs(); p.errors; p.lastError
 */
import { monotonicMs, wakeableSleep } from '../clock.ts';
import { deriveMilestone, widenToRequest, type Milestone } from '../measure/milestones.ts';
import { Series } from '../measure/series.ts';
import type { RouterCheck } from './junos-router.ts';
import type { JunosRouteTable } from './junos-route-summary.ts';

/** Series names this poller writes. */
export const ROUTER_SERIES = {
  routes: 'router_routes',
  requestMs: 'router_routes_request_ms',
} as const;

/** Which of the table's counts is "the router's routes". */
export type RouterRouteCount = 'routes' | 'destinations' | 'active';

export interface RouterRoutePollerOptions {
  /** Time from one request's start to the next's (a slower answer is followed at once). Default 1000 ms. */
  intervalMs?: number;
  /**
   * routes (default): every route the table holds, hidden ones included — the router received them, whether
   * it can resolve their next hops is its own configuration. destinations: one per prefix, whatever the
   * number of peers that sent it. active: only the routes the router uses.
   */
  count?: RouterRouteCount;
  /** One request's limit. Default 30 s. */
  requestTimeoutMs?: number;
  makeSeries?: (name: string, unit: string) => Series;
  onSample?: (count: number, t: number) => void;
}

export interface MilestoneOptions {
  /** Only samples after this monotonic instant count (the trigger of the phase). */
  after?: number;
  /** at-least (default): count >= target, for adds; at-most: count <= target, for withdrawals. */
  reach?: 'at-least' | 'at-most';
}

/** What a scale session needs from a router's route poller. */
export interface RouterRoutes {
  readonly series: { readonly routes: Series; readonly requestMs: Series };
  start(): void;
  stop(): Promise<void>;
  /** The first sample at which the router has `target` routes, with its bracket; undefined when not reached. */
  milestone(target: number, opts?: MilestoneOptions): Milestone | undefined;
}

export class RouterRoutePoller implements RouterRoutes {
  readonly series: { readonly routes: Series; readonly requestMs: Series };
  requests = 0;
  errors = 0;
  lastError: string | undefined;
  private readonly intervalMs: number;
  private readonly count: RouterRouteCount;
  private readonly requestTimeoutMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private lastSampleT: number | undefined;
  private lastLatency = 0;
  private maxGapMs = 0;

  constructor(
    private readonly router: RouterCheck,
    private readonly opts: RouterRoutePollerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.count = opts.count ?? 'routes';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    if (!(this.intervalMs > 0))
      throw new Error(`router route poller: intervalMs must be > 0, got ${this.intervalMs}`);
    const meta = {
      router: router.host.name,
      table: router.config.routeTable,
      count: this.count,
      command: router.config.showRouteSummaryCommand,
    };
    const make = opts.makeSeries ?? ((name, unit) => new Series(name, unit, { meta }));
    this.series = {
      routes: make(ROUTER_SERIES.routes, 'count'),
      requestMs: make(ROUTER_SERIES.requestMs, 'ms'),
    };
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = this.loop();
  }

  /** Stops polling (a request in flight is abandoned) and closes the series. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort(new Error('router route poller stopped'));
    this.wake?.();
    await this.running;
    await Promise.all([this.series.routes.close(), this.series.requestMs.close()]);
  }

  milestone(target: number, opts: MilestoneOptions = {}): Milestone | undefined {
    const condition = opts.reach === 'at-most' ? { '<=': target } : { '>=': target };
    const m = deriveMilestone(
      {
        name: 'router_has_routes',
        when: { [ROUTER_SERIES.routes]: condition },
        ...(opts.after !== undefined ? { after: opts.after } : {}),
      },
      [this.series.routes],
    );
    return widenToRequest(m, this.series.requestMs);
  }

  /** The largest gap between consecutive samples plus the request latency before it: a milestone's worst bracket. */
  resolutionMs(): number {
    return this.maxGapMs;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const sent = monotonicMs();
      await this.poll(sent);
      const wait = sent + this.intervalMs - monotonicMs();
      if (this.stopping || wait <= 0) continue;
      const delay = wakeableSleep(wait);
      this.wake = delay.wake;
      await delay.done;
      this.wake = undefined;
    }
  }

  private async poll(sent: number): Promise<void> {
    this.requests++;
    let table: JunosRouteTable;
    try {
      table = await this.router.tableRoutes({ timeoutMs: this.requestTimeoutMs, signal: this.abort.signal });
    } catch (err) {
      if (this.stopping) return;
      this.errors++;
      this.lastError = (err as Error).message;
      return;
    }
    const t = monotonicMs();
    const value = table[this.count];
    this.series.routes.add(value, t);
    this.series.requestMs.add(t - sent, t);
    if (this.lastSampleT !== undefined) {
      this.maxGapMs = Math.max(this.maxGapMs, t - this.lastSampleT + this.lastLatency);
    }
    this.lastSampleT = t;
    this.lastLatency = t - sent;
    this.opts.onSample?.(value, t);
  }
}
