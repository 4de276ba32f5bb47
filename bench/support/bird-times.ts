/**
 * BIRD's own timestamps, read from its text output: when each protocol changed state (`show protocols`,
 * column Since) and when each route last changed (`show route`, "[n1 12:28:18.129]"). BIRD 2 prints them
 * as time of day with milliseconds (its default "iso short ms" format), taken from its event loop's clock,
 * so durations between them are BIRD's own record at 1 ms resolution, with no poller in between.
 */

/** "12:28:18.129" -> ms since midnight. */
export function timeOfDayMs(text: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(text);
  if (!m) throw new Error(`BIRD time "${text}": expected HH:MM:SS.mmm (BIRD's default "iso short ms")`);
  const [h, min, s, ms] = m.slice(1).map(Number) as [number, number, number, number];
  return ((h * 60 + min) * 60 + s) * 1000 + ms;
}

/** b - a for two times of day, assuming b is not before a by more than a day (a run crossing midnight). */
export function spanMs(a: number, b: number): number {
  const d = b - a;
  return d < 0 ? d + 86_400_000 : d;
}

/** b - a for two times of day taken within 12 h of each other, negative when b is earlier. */
export function signedSpanMs(a: number, b: number): number {
  const d = b - a;
  return d > 43_200_000 ? d - 86_400_000 : d <= -43_200_000 ? d + 86_400_000 : d;
}

export interface ProtocolLine {
  name: string;
  proto: string;
  state: string;
  /** Ms since midnight of the last state change. */
  since: number;
  info: string;
}

/** `show protocols` lines: "n1  BGP  ---  up  12:28:18.129  Established". */
export function parseProtocolLines(text: string): ProtocolLine[] {
  const out: ProtocolLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d\d:\d\d:\d\d\.\d{3})\s*(.*)$/.exec(line);
    if (m)
      out.push({ name: m[1]!, proto: m[2]!, state: m[4]!, since: timeOfDayMs(m[5]!), info: m[6]!.trim() });
  }
  return out;
}

/** Per protocol, how many routes `show route` lists from it and the latest change time among them. */
export function latestRouteTimes(
  text: string,
  protocols: ReadonlySet<string>,
): Map<string, { routes: number; latest: number }> {
  const out = new Map<string, { routes: number; latest: number }>();
  const stamp = /\[(\S+) (\d\d:\d\d:\d\d\.\d{3})[\] ]/;
  for (const line of text.split('\n')) {
    const m = stamp.exec(line);
    if (!m || !protocols.has(m[1]!)) continue;
    const t = timeOfDayMs(m[2]!);
    const seen = out.get(m[1]!);
    if (seen) {
      seen.routes++;
      seen.latest = Math.max(seen.latest, t);
    } else out.set(m[1]!, { routes: 1, latest: t });
  }
  return out;
}
