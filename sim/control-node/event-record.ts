/**
 * The control node's own record of convergence events, for cross-checking
 * what the framework measures from outside. Monotonic times come from
 * process.hrtime (CLOCK_MONOTONIC, system-wide on Linux, so another process
 * on this machine can compare them with its own monotonicMs()).
 */
import { monotonicMs } from '../../lib/clock.ts';

export interface EventStamp {
  /** CLOCK_MONOTONIC in ms. */
  monotonicMs: number;
  /** Wall-clock ISO time (label only). */
  wall: string;
}

export interface SimEvents {
  startedAt: EventStamp;
  firstAgentUp?: EventStamp;
  lastAgentUp?: EventStamp;
  lastRouteInstalled?: EventStamp;
  /** Last time pending_updates (all tables) went from >0 to 0. */
  pendingUpdatesZero?: EventStamp;
  agentsUp: number;
  routesInstalled: number;
  sessionsClosed: number;
  restarts: number;
}

export function stamp(): EventStamp {
  return { monotonicMs: monotonicMs(), wall: new Date().toISOString() };
}

export function newEventRecord(): SimEvents {
  return { startedAt: stamp(), agentsUp: 0, routesInstalled: 0, sessionsClosed: 0, restarts: 0 };
}
