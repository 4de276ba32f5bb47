/**
 * GoBGP's own order of work, timed by probes: gobgpd keeps no time of its own per route, and its API
 * answers between messages picked at random from its queues, but its WatchEvent stream (ADJIN) shows
 * every UPDATE once gobgpd has taken it into its Adj-RIB-In, before it chooses best paths and sends them
 * on, in the order it processes them. A watched prefix (the last a generator peer sends) was taken in
 *
 * - after any probe shown before it: a probe is a generator peer withdrawing PROBE_PREFIX, which it never
 *   announced; gobgpd takes it in turn and changes nothing, and it was written after its send time
 *   (before the first probe: after the watch was asked for);
 * - before its own event arrived here.
 *
 * That is the moment FRR's and BIRD's records stamp too: the prefix taken in, not yet passed on.
 *
 * Probes are only as useful as they are fresh: each generator peer keeps one in flight and sends the next
 * after a random pause of up to one UPDATE's processing (as gobgpd showed it lately), so that while
 * gobgpd works on one UPDATE probes keep arriving, and some wait, fresh, when it turns to the next.
 */
import { monotonicMs, wakeableSleep } from '../clock.ts';
import type { DaemonRouteEvent, DaemonRouteRecord, RouteProbe } from './bgp-daemon.ts';
import type { ReceivedPath } from './gobgp-api.ts';

/** TEST-NET-1 (RFC 5737): no scenario's prefix, never announced by a generator peer. */
export const PROBE_PREFIX = '192.0.2.1/32';

/** Bounds on the pause between a peer's probes. */
const PAUSE_MIN_MS = 5;
const PAUSE_MAX_MS = 1000;
/** A probe not seen within this is given up for (the next one goes out; the old may still come). */
const PROBE_WAIT_MS = 30_000;
/** After a probe could not be sent (no generator, session down). */
const RETRY_MS = 1000;

interface InFlight {
  /** A lower bound on when gobgpd can have read it: the generator's time before its write, or ours before asking. */
  sentMs: number;
  /** Ends the wait for it. */
  seen: () => void;
}

export class GobgpRouteRecord implements DaemonRouteRecord {
  readonly via = 'gobgpd update order (WatchEvent), timed by probes';
  /** Every event carries its own resolution; this is what the clock adds. */
  readonly resolutionMs = 0.001;
  private readonly watched: ReadonlySet<string>;
  private readonly recorded: DaemonRouteEvent[] = [];
  /**
   * The latest send time of a probe gobgpd has processed so far; before the first, when the record was
   * made: nothing the watch shows was taken in before the watch was asked for.
   */
  private probedMs = monotonicMs();
  private readonly inFlight = new Map<string, InFlight[]>();
  /** Mean gap between UPDATEs (not probes) gobgpd showed, ms: how long it works on one. */
  private updateGapMs = 100;
  private lastUpdateMs: number | undefined;
  private probing = false;
  /** Every wait of the probe loops, ended at once by stopProbing(). */
  private readonly waits = new Set<() => void>();

  constructor(watchPrefixes: readonly string[]) {
    this.watched = new Set(watchPrefixes);
  }

  events(): readonly DaemonRouteEvent[] {
    return this.recorded;
  }

  /** One WatchEvent (ADJIN) table event: the paths of one UPDATE, and when it arrived here. */
  onUpdate(paths: readonly ReceivedPath[], arrivedMs: number): void {
    const only = paths.length === 1 ? paths[0] : undefined;
    if (only?.withdraw && only.prefix === PROBE_PREFIX) {
      const probe = this.inFlight.get(only.neighbor)?.shift();
      // Sent after it was taken in: not this probe (its queue lost count); no bound from it.
      if (probe && probe.sentMs <= arrivedMs) this.probedMs = Math.max(this.probedMs, probe.sentMs);
      probe?.seen();
      return;
    }
    if (this.lastUpdateMs !== undefined)
      this.updateGapMs = 0.8 * this.updateGapMs + 0.2 * (arrivedMs - this.lastUpdateMs);
    this.lastUpdateMs = arrivedMs;
    const half = (arrivedMs - this.probedMs) / 2;
    for (const p of paths)
      if (p.prefix !== undefined && this.watched.has(p.prefix))
        this.recorded.push({
          prefix: p.prefix,
          kind: p.withdraw ? 'withdraw' : 'announce',
          t: this.probedMs + half,
          resolutionMs: half,
        });
  }

  /** Starts probing from each of `peers` through `send`, until stopProbing(). */
  probeFrom(peers: readonly string[], send: RouteProbe): void {
    if (this.probing) return;
    this.probing = true;
    for (const peer of peers) void this.probeLoop(peer, send);
  }

  stopProbing(): void {
    this.probing = false;
    for (const wake of this.waits) wake();
  }

  private async wait(ms: number, onStart?: (wake: () => void) => void): Promise<void> {
    const w = wakeableSleep(ms);
    this.waits.add(w.wake);
    onStart?.(w.wake);
    await w.done;
    this.waits.delete(w.wake);
  }

  private async probeLoop(peer: string, send: RouteProbe): Promise<void> {
    const queue: InFlight[] = [];
    this.inFlight.set(peer, queue);
    while (this.probing) {
      let seen = false;
      const probe: InFlight = { sentMs: monotonicMs(), seen: () => (seen = true) };
      queue.push(probe);
      try {
        probe.sentMs = Math.max(probe.sentMs, await send(peer, PROBE_PREFIX));
      } catch {
        // The session is down or gone, and what it had queued in gobgpd with it.
        queue.length = 0;
        await this.wait(RETRY_MS);
        continue;
      }
      if (!seen) await this.wait(PROBE_WAIT_MS, (wake) => (probe.seen = wake));
      const pauseMs = Math.random() * this.updateGapMs;
      await this.wait(Math.min(PAUSE_MAX_MS, Math.max(PAUSE_MIN_MS, pauseMs)));
    }
  }
}
