/**
 * bgpd's own record of the prefixes it was told to watch (`debug bgp updates prefix P`, which turns
 * update debugging on for P alone): one log line per received or withdrawn watched prefix, stamped by bgpd
 * when it processed it, to the microsecond with `log timestamp precision 6` (wall clock, UTC with TZ=UTC):
 *
 *   2026/12/05 14:54:28.197453 BGP: [YCKEM-GB33T] 198.18.1.1(Unknown) rcvd 10.0.0.0/24 IPv4 unicast
 *   2026/12/05 14:54:28.316455 BGP: [PAPP6-VDAWM] 198.18.1.1(Unknown) rcvd UPDATE about 10.0.0.0/24 IPv4 unicast -- withdrawn
 */
import { realtimeOffset } from '../clock.ts';
import type { DaemonRouteEvent, DaemonRouteRecord } from './bgp-daemon.ts';

export interface FrrRouteLine {
  /** Wall-clock ms since the epoch, microseconds in the fraction. */
  wallMs: number;
  /** The neighbor's address as bgpd names it. */
  peer: string;
  prefix: string;
  kind: 'announce' | 'withdraw';
}

const LINE =
  /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) BGP: (?:\[[^\]]*\])+ (\S+?)(?:\([^)]*\))? rcvd (UPDATE about )?(\S+) IPv4 unicast( -- withdrawn)?\s*$/;

/** The watched-prefix line's content; undefined for every other line bgpd prints. */
export function parseFrrRouteLine(line: string): FrrRouteLine | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, us, peer, about, prefix, withdrawn] = m;
  // "rcvd UPDATE about P" without "-- withdrawn" is a rejected announcement (bgpd says why): not taken in.
  if (about && !withdrawn) return undefined;
  const wholeMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return {
    wallMs: wholeMs + Number(us) / 1000,
    peer: peer!,
    prefix: prefix!,
    kind: withdrawn ? 'withdraw' : 'announce',
  };
}

/** The record a running bgpd keeps of its watched prefixes, fed every line it prints. */
export class FrrRouteRecord implements DaemonRouteRecord {
  readonly via = 'bgpd debug log';
  readonly resolutionMs: number;
  private readonly watched: ReadonlySet<string>;
  private readonly offsetMs: number;
  private readonly recorded: DaemonRouteEvent[] = [];

  constructor(prefixes: readonly string[]) {
    const clock = realtimeOffset();
    this.offsetMs = clock.offsetMs;
    // bgpd stamps to the microsecond; the wall clock is placed on the monotonic one to clock.errorMs.
    this.resolutionMs = 0.001 + clock.errorMs;
    this.watched = new Set(prefixes);
  }

  line(text: string): void {
    // Without zebra bgpd prints an error line per route (its nexthop registration fails): skip them cheaply.
    if (!text.includes(' rcvd ')) return;
    const r = parseFrrRouteLine(text);
    if (r && this.watched.has(r.prefix))
      this.recorded.push({ prefix: r.prefix, kind: r.kind, t: r.wallMs - this.offsetMs });
  }

  events(): readonly DaemonRouteEvent[] {
    return this.recorded;
  }
}
