/**
 * The emulated control node: XMPP server for agents, one route table per
 * routing instance, subscriptions (held pending until the instance is
 * configured), hold-time supervision, faults, and its event record.
 * Introspect and config API servers read and drive it.
 */
import net from 'node:net';
import { monotonicMs } from '../clock.ts';
import { MASTER_INSTANCE, type InetRoute } from '../xmpp/index.ts';
import { AgentSession, type Subscription } from './agent-session.ts';
import { ConfigStore, routingInstanceName } from './config-store.ts';
import { EventRecord } from './event-record.ts';
import type { FaultRequest, FaultSettings } from './faults.ts';
import { END_OF_RIB_BATCH, RouteTable, type TableObserver } from './route-table.ts';

export interface ControlNodeOptions {
  /** Name of this control node; agents are refused until a control-node bgp-router with this name exists. */
  name: string;
  address: string;
  xmppPort: number;
  /** Hold time in seconds (a silent session is closed after it; keepalives every third of it). */
  holdTimeS: number;
  /** Quiet time after the last subscribe before End-of-RIB is sent. */
  endOfRibDelayMs: number;
  faults: FaultSettings;
  /**
   * What one received route operation costs the node, in µs of its route processing (one queue over all
   * sessions); the slowdown multiplies it. A real node's cost, so the slowdown has work to stretch.
   */
  routeCostUs: number;
}

export const DEFAULT_ROUTE_COST_US = 500;

export const DEFAULT_HOLD_TIME_S = 90;
const SWEEP_MS = 200;

export class ControlNode implements TableObserver {
  readonly config = new ConfigStore();
  /** Routing instances by name (master + one per VN). */
  readonly instances = new Map<string, RouteTable>();
  readonly sessions = new Set<AgentSession>();
  /** Flap count per agent name (sessions that went down after being Established). */
  readonly flaps = new Map<string, number>();
  readonly events = new EventRecord();
  readonly faults: FaultSettings;
  maxSessions = 0;
  private server: net.Server | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly flushQueue = new Set<RouteTable>();
  private flushScheduled = false;
  private flushHoldMs = 0;
  /** Monotonic ms when the route operations received so far are processed. */
  private processingBusyUntilMs = 0;
  private streamIds = 0;
  private pendingTotal = 0;
  private dropCounter = 0;
  private up = false;

  constructor(readonly opts: ControlNodeOptions) {
    this.faults = { ...opts.faults };
    this.config.listener = {
      virtualNetworkAdded: (vn) => this.instanceAdded(routingInstanceName(vn.fq_name)),
      virtualNetworkDeleted: (vn) => this.instanceDeleted(routingInstanceName(vn.fq_name)),
    };
    this.instances.set(MASTER_INSTANCE, new RouteTable(MASTER_INSTANCE, 'inet.0', this));
  }

  nowMs(): number {
    return monotonicMs();
  }

  nextStreamId(): string {
    return `++${++this.streamIds}`;
  }

  private boundPort: number | undefined;

  get xmppPort(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : this.opts.xmppPort;
  }

  async start(): Promise<void> {
    // A node that took any free port (0) comes back on the same one after a restart, as a real one does.
    const port = this.boundPort ?? this.opts.xmppPort;
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen({ host: this.opts.address, port, backlog: 4096 }, () => resolve());
    });
    this.boundPort = this.xmppPort;
    this.up = true;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
  }

  async stop(): Promise<void> {
    this.up = false;
    clearInterval(this.sweepTimer);
    for (const s of [...this.sessions]) s.close('control node stopping');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Why agents are refused right now, or undefined when they are admitted. */
  admissionRefusal(): string | undefined {
    if (!this.up) return 'control node is restarting';
    for (const r of this.config.bgpRouters.values()) {
      if (
        r.fq_name[r.fq_name.length - 1] === this.opts.name &&
        r.bgp_router_parameters.router_type !== 'router'
      )
        return undefined;
    }
    return `no bgp-router configured for control node ${this.opts.name}`;
  }

  private accept(socket: net.Socket): void {
    const session = new AgentSession(this, socket, this.nowMs());
    this.sessions.add(session);
    this.maxSessions = Math.max(this.maxSessions, this.sessions.size);
  }

  sessionEstablished(_s: AgentSession): void {
    this.events.markFirst('firstAgentUp');
    this.events.mark('lastAgentUp');
    this.events.counters.agentsUp++;
  }

  sessionClosed(s: AgentSession, reason: string): void {
    this.sessions.delete(s);
    // One line per close: the reason is what a test or a person needs to explain a flap.
    process.stderr.write(
      `contrail-control (sim): XMPP session ${s.name || '(no name)'} ${s.remote} closed: ${reason}\n`,
    );
    this.events.counters.sessionsClosed++;
    if (s.wasEstablished) {
      this.events.counters.agentsUp--;
      this.flaps.set(s.name, (this.flaps.get(s.name) ?? 0) + 1);
    }
    for (const sub of s.subscriptions.values()) this.dropSubscription(s, sub);
    s.subscriptions.clear();
  }

  subscribe(s: AgentSession, instance: string, instanceId: number | undefined): void {
    const table = this.instances.get(instance);
    const sub: Subscription = { instanceId, routes: new Map(), table };
    s.subscriptions.set(instance, sub);
    if (table) this.attach(s, table);
  }

  unsubscribe(s: AgentSession, instance: string): void {
    const sub = s.subscriptions.get(instance);
    if (!sub) return;
    s.subscriptions.delete(instance);
    this.dropSubscription(s, sub);
  }

  private dropSubscription(s: AgentSession, sub: Subscription): void {
    if (!sub.table) return;
    sub.table.subscribers.delete(s);
    for (const prefix of sub.routes.keys()) sub.table.deletePath(s.name, prefix);
  }

  /** Makes `s` a subscriber of `table` and queues it the table's current routes. */
  private attach(s: AgentSession, table: RouteTable): void {
    table.subscribers.add(s);
    for (const b of table.snapshot()) {
      table.addQueued(b.items);
      s.enqueue(b);
    }
  }

  addRoute(s: AgentSession, sub: Subscription, route: InetRoute): void {
    sub.routes.set(route.prefix, route);
    if (!sub.table) return; // pending: replayed when the instance is configured
    if (this.faults.dropRouteShare > 0) {
      // Exact share, deterministic: drop whenever the running product crosses an integer.
      const before = Math.floor(this.dropCounter * this.faults.dropRouteShare);
      this.dropCounter++;
      if (Math.floor(this.dropCounter * this.faults.dropRouteShare) > before) return;
    }
    sub.table.addPath(s.name, route);
  }

  deleteRoute(s: AgentSession, sub: Subscription, prefix: string): void {
    sub.routes.delete(prefix);
    sub.table?.deletePath(s.name, prefix);
  }

  private instanceAdded(instance: string): void {
    if (this.instances.has(instance)) return;
    const table = new RouteTable(instance, `${instance}.inet.0`, this);
    this.instances.set(instance, table);
    // Replay pending subscriptions: attach and install the routes queued while pending.
    for (const s of this.sessions) {
      const sub = s.subscriptions.get(instance);
      if (!sub) continue;
      sub.table = table;
      this.attach(s, table);
      for (const r of sub.routes.values()) table.addPath(s.name, r);
    }
  }

  private instanceDeleted(instance: string): void {
    const table = this.instances.get(instance);
    if (!table) return;
    table.clear();
    table.flush();
    this.flushQueue.delete(table);
    this.instances.delete(instance);
    // Subscriptions stay, pending again, with their routes kept for a later replay.
    for (const s of this.sessions) {
      const sub = s.subscriptions.get(instance);
      if (sub) sub.table = undefined;
    }
    table.subscribers.clear();
  }

  // TableObserver
  routeInstalled(): void {
    this.events.counters.routesInstalled++;
    this.events.mark('lastRouteInstalled');
  }

  /**
   * Queues `routeOps` received now behind those received before; returns the monotonic ms they are
   * processed at (each costs routeCostUs times the slowdown, plus the slow fault's delay).
   */
  processingDoneAt(routeOps: number): number {
    const perOpMs = (this.opts.routeCostUs / 1000) * this.faults.slowdown + this.faults.slowMsPerRoute;
    this.processingBusyUntilMs = Math.max(this.nowMs(), this.processingBusyUntilMs) + routeOps * perOpMs;
    return this.processingBusyUntilMs;
  }

  /** Input really took `ms` to apply: with a slowdown of f, the queue is busy f - 1 times that longer. */
  processingTook(ms: number): void {
    if (this.faults.slowdown === 1) return;
    this.processingBusyUntilMs =
      Math.max(this.nowMs(), this.processingBusyUntilMs) + (this.faults.slowdown - 1) * ms;
  }

  pendingChanged(delta: number): void {
    const before = this.pendingTotal;
    this.pendingTotal += delta;
    if (before > 0 && this.pendingTotal === 0) this.events.mark('pendingUpdatesZero');
  }

  scheduleFlush(table: RouteTable): void {
    this.flushQueue.add(table);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Batch everything that arrives in this turn of the event loop; the slow fault stretches it, and a
    // slowdown of f holds the next flush f - 1 times as long as this one took.
    const run = () => {
      this.flushScheduled = false;
      const tables = [...this.flushQueue];
      this.flushQueue.clear();
      const began = process.hrtime.bigint();
      for (const t of tables) t.flush();
      this.flushHoldMs = ((this.faults.slowdown - 1) * Number(process.hrtime.bigint() - began)) / 1e6;
    };
    const delay = this.faults.slowMsPerRoute + this.flushHoldMs;
    if (delay > 0) setTimeout(run, delay);
    else setImmediate(run);
  }

  get pendingUpdates(): number {
    return this.pendingTotal;
  }

  /** Hold time, keepalives and End-of-RIB, for all sessions in one pass (no per-session timers). */
  private sweep(): void {
    const now = this.nowMs();
    const holdMs = this.opts.holdTimeS * 1000;
    for (const s of this.sessions) {
      if (now - s.lastReceiveMs > holdMs) {
        s.close(`hold timer expired (${this.opts.holdTimeS} s)`);
        continue;
      }
      if (s.state !== 'Established') continue;
      if (now - s.lastSendMs > holdMs / 3) s.send(' ');
      if (
        !s.endOfRibSent &&
        s.subscriptions.size > 0 &&
        now - s.lastSubscribeMs >= this.opts.endOfRibDelayMs
      ) {
        s.endOfRibSent = true;
        s.enqueue(END_OF_RIB_BATCH);
      }
    }
  }

  /** Applies a run-time fault. */
  async applyFault(f: FaultRequest): Promise<void> {
    if ('restart' in f) return this.restart(f.restart.downMs ?? 0);
    if ('crash' in f) {
      const code = f.crash.exitCode ?? 70;
      setTimeout(() => {
        process.stderr.write(`contrail-control (sim): crashing on request, exit ${code}\n`);
        process.exit(code);
      }, f.crash.afterMs ?? 0);
      return;
    }
    if ('dropRoutes' in f) this.faults.dropRouteShare = f.dropRoutes.share;
    else if ('slow' in f) this.faults.slowMsPerRoute = f.slow.msPerRoute;
    else if ('garbage' in f) this.faults.introspectGarbage = f.garbage.requests;
    else if ('flap' in f) {
      let n = f.flap.sessions;
      for (const s of [...this.sessions]) {
        if (n <= 0) break;
        if (s.state !== 'Established') continue;
        s.close('flapped by fault injection');
        n--;
      }
    } else if ('clear' in f) {
      this.faults.dropRouteShare = 0;
      this.faults.slowMsPerRoute = 0;
      this.faults.introspectGarbage = 0;
    }
  }

  /** Drops all sessions and routes (configuration survives, as with a real restart), back after downMs. */
  private async restart(downMs: number): Promise<void> {
    this.events.counters.restarts++;
    await this.stop();
    for (const t of this.instances.values()) {
      t.clear();
      t.subscribers.clear();
      t.flush();
    }
    setTimeout(() => {
      this.start().catch((err: unknown) => {
        process.stderr.write(`contrail-control (sim): restart failed: ${String(err)}\n`);
        process.exit(1);
      });
    }, downMs);
  }
}
