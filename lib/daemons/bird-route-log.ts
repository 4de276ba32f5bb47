/**
 * BIRD's own record of the prefixes it was told to watch: its import filter prints each as it takes it
 * in, and its watchdog reports every I/O loop cycle longer than a limit (`timeformat log "%F %T.%6f"`,
 * TZ=UTC):
 *
 *   2026-12-05 20:17:42.066196 <INFO> netscale-watch 10.0.0.0/24
 *   2026-12-05 20:17:42.320701 <WARN> I/O loop cycle took 80.323 ms for 15 events
 *
 * BIRD stamps a line with the time it last read its clock, which it does as a loop cycle begins and a
 * few times within (thousands of routes share one stamp), so a stamp s says only that the route was
 * taken in between s and the end of the cycle it falls in. That end is known: a cycle longer than the
 * watchdog limit is reported with its length, stamped at its end; a cycle that covers s and is not
 * reported ended within the limit. Each event is the middle of that interval, ± half of it.
 */
import { realtimeOffset } from '../clock.ts';
import type { DaemonRouteEvent, DaemonRouteRecord } from './bgp-daemon.ts';

/** The word the import filter prints before a watched prefix. */
export const BIRD_WATCH_MARK = 'netscale-watch';

/** Cycles longer than this are reported by BIRD's watchdog (`watchdog warning`), ms. */
export const BIRD_WATCHDOG_WARNING_MS = 1;

/** A stamp and the start of a reported cycle are taken microseconds apart by BIRD; this covers it. */
const CYCLE_START_SLACK_MS = 0.1;

export type BirdLogLine =
  { kind: 'watch'; wallMs: number; prefix: string } | { kind: 'cycle'; wallMs: number; tookMs: number };

const STAMP = String.raw`^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) <\w+> `;
const WATCH = new RegExp(`${STAMP}${BIRD_WATCH_MARK} (\\S+)\\s*$`);
const CYCLE = new RegExp(`${STAMP}I/O loop cycle took (\\d+\\.\\d+) ms for \\d+ events\\s*$`);

function wallMs(m: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, us] = m.map(Number);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) + us! / 1000;
}

/** A watched prefix taken in, or a cycle the watchdog reported; undefined for every other line. */
export function parseBirdLogLine(line: string): BirdLogLine | undefined {
  const watch = WATCH.exec(line);
  if (watch) return { kind: 'watch', wallMs: wallMs(watch), prefix: watch[8]! };
  const cycle = CYCLE.exec(line);
  if (cycle) return { kind: 'cycle', wallMs: wallMs(cycle), tookMs: Number(cycle[8]) };
  return undefined;
}

/** The record a running BIRD keeps of its watched prefixes, fed every line it prints. */
export class BirdRouteRecord implements DaemonRouteRecord {
  readonly via = 'BIRD import filter log';
  /** The finest an event can be: a cycle within the watchdog limit, plus the clock's placement. */
  readonly resolutionMs: number;
  private readonly watched: ReadonlySet<string>;
  private readonly offsetMs: number;
  private readonly clockErrorMs: number;
  private readonly stamps: { prefix: string; wallMs: number }[] = [];
  /** Reported cycles as [start, end], wall-clock ms. */
  private readonly cycles: { from: number; to: number }[] = [];

  constructor(prefixes: readonly string[]) {
    const clock = realtimeOffset();
    this.offsetMs = clock.offsetMs;
    // BIRD prints microseconds: half of one on top of the clock's placement.
    this.clockErrorMs = 0.0005 + clock.errorMs;
    this.resolutionMs = BIRD_WATCHDOG_WARNING_MS / 2 + this.clockErrorMs;
    this.watched = new Set(prefixes);
  }

  line(text: string): void {
    const l = parseBirdLogLine(text);
    if (!l) return;
    if (l.kind === 'cycle') this.cycles.push({ from: l.wallMs - l.tookMs, to: l.wallMs });
    else if (this.watched.has(l.prefix)) this.stamps.push({ prefix: l.prefix, wallMs: l.wallMs });
  }

  /**
   * Every watched prefix taken in. A stamp's cycle is a reported one that began at the stamp (or before
   * it: a route taken in by an event at the loop's top); otherwise it ended within the watchdog limit.
   */
  events(): readonly DaemonRouteEvent[] {
    return this.stamps.map(({ prefix, wallMs }) => {
      let end = wallMs + BIRD_WATCHDOG_WARNING_MS;
      for (const c of this.cycles)
        if (c.from - CYCLE_START_SLACK_MS <= wallMs && wallMs <= c.to) end = Math.max(end, c.to);
      const half = (end - wallMs) / 2;
      return {
        prefix,
        kind: 'announce' as const,
        t: wallMs + half - this.offsetMs,
        resolutionMs: half + this.clockErrorMs,
      };
    });
  }
}
