/**
 * The control node's own record of convergence events, for cross-checking
 * what the framework measures from outside. Monotonic times come from
 * process.hrtime (CLOCK_MONOTONIC, system-wide on Linux, so another process
 * on this machine can compare them with its own monotonicMs()). Marking is
 * one clock read (it runs per installed route); wall-clock labels are derived
 * when the record is read, from one (wall, monotonic) pair taken at start.
 */
import { monotonicMs } from '../clock.ts';

export interface EventStamp {
  /** CLOCK_MONOTONIC in ms. */
  monotonicMs: number;
  /** Wall-clock ISO time (label only). */
  wall: string;
}

export type EventName = 'firstAgentUp' | 'lastAgentUp' | 'lastRouteInstalled' | 'pendingUpdatesZero';

export interface EventCounters {
  agentsUp: number;
  routesInstalled: number;
  /** Route items (adds and withdrawals) written to subscribers: the updates the node actually sent. */
  updatesSent: number;
  sessionsClosed: number;
  restarts: number;
}

/** JSON of GET /sim/events. */
export type SimEvents = EventCounters & { startedAt: EventStamp } & Partial<Record<EventName, EventStamp>>;

export class EventRecord {
  readonly counters: EventCounters = {
    agentsUp: 0,
    routesInstalled: 0,
    updatesSent: 0,
    sessionsClosed: 0,
    restarts: 0,
  };
  private readonly startMono = monotonicMs();
  private readonly startWall = Date.now();
  private readonly marks = new Map<EventName, number>();

  mark(name: EventName): void {
    this.marks.set(name, monotonicMs());
  }

  /** Marks only the first occurrence. */
  markFirst(name: EventName): void {
    if (!this.marks.has(name)) this.marks.set(name, monotonicMs());
  }

  private stamp(mono: number): EventStamp {
    return { monotonicMs: mono, wall: new Date(this.startWall + (mono - this.startMono)).toISOString() };
  }

  toJSON(): SimEvents {
    const out: SimEvents = { startedAt: this.stamp(this.startMono), ...this.counters };
    for (const [name, mono] of this.marks) out[name] = this.stamp(mono);
    return out;
  }
}
