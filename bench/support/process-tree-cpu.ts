/**
 * CPU used by process trees, from /proc: for every live process under the given roots (roots
 * included), its own user+system time plus that of the children it has waited for. Two readings
 * around a piece of work, once that work's processes have exited and been waited for inside the
 * trees, give its CPU whatever else the machine was doing (e.g. all sshd sessions of a benchmark's
 * hosts: the long-lived connection processes wait for their sessions). Resolution: one tick, 10 ms.
 *
 *   const before = treeCpuMs([sshdPid]); ...; const used = treeCpuMs([sshdPid]) - before;
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ on Linux: /proc/<pid>/stat counts in 1/100 s. */
const TICK_MS = 10;

interface Stat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readStat(pid: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we looked
  }
  // Fields after "(comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((a, i) => a + Number(f[i]), 0);
  return { pid: Number(pid), ppid: Number(f[1]), ticks };
}

export function treeCpuMs(roots: readonly number[]): number {
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(readStat)
    .filter((s): s is Stat => s !== undefined);
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  let ticks = 0;
  const todo = roots.map((r) => byPid.get(r)).filter((s): s is Stat => s !== undefined);
  for (let s = todo.pop(); s; s = todo.pop()) {
    ticks += s.ticks;
    todo.push(...(children.get(s.pid) ?? []));
  }
  return ticks * TICK_MS;
}
