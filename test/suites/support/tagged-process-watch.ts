/**
 * Watches this machine's /proc while a run is going on for processes carrying a run tag whose command
 * line matches, and records each one's ancestry once (pid, comm, command line up to init), so a test
 * can tell afterwards what started them (e.g. an sshd session rather than the test runner itself).
 * Forks of a matching shell are left out: a fork has its parent's command line, or, orphaned for a moment
 * while its group is being ended (the /proc loop's stdin watcher runs `kill -TERM 0`), the command line of
 * a process already seen in its process group.
 *
 *   const watch = watchTaggedProcesses({ runTag, match: /bgp-stress\/main\.ts/, everyMs: 100 });
 *   ... run ...
 *   const seen = watch.stop();   // [{ pid, ancestors: [{ pid, comm, cmdline }, ...] }]
 */
import { readFileSync } from 'node:fs';
import { RUN_TAG_ENV } from '../../../lib/hosts/host.ts';
import { runningWithEnv } from '../../support/proc.ts';

export interface ProcessLink {
  pid: number;
  comm: string;
  cmdline: string;
}

export interface SeenProcess {
  pid: number;
  /** Process group. */
  pgid: number;
  cmdline: string;
  /** Parent first, up to (not including) pid 1. */
  ancestors: ProcessLink[];
}

function link(pid: number): (ProcessLink & { ppid: number; pgid: number }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
    return { pid, comm, cmdline, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function ancestry(pid: number): ProcessLink[] {
  const out: ProcessLink[] = [];
  let p = link(pid)?.ppid;
  for (let depth = 0; p !== undefined && p > 1 && depth < 64; depth++) {
    const l = link(p);
    if (!l) break;
    out.push({ pid: l.pid, comm: l.comm, cmdline: l.cmdline });
    p = l.ppid;
  }
  return out;
}

export function watchTaggedProcesses(o: { runTag: string; match: RegExp; everyMs?: number }): {
  stop(): SeenProcess[];
} {
  const seen = new Map<number, SeenProcess>();
  const look = () => {
    for (const pid of runningWithEnv(RUN_TAG_ENV, o.runTag)) {
      if (seen.has(pid)) continue;
      const self = link(pid);
      if (!self || !o.match.test(self.cmdline)) continue;
      const ancestors = ancestry(pid);
      // A shell's forks ($(...), subshells) carry its command line: only the shell itself counts.
      if (ancestors[0]?.cmdline === self.cmdline) continue;
      const sameGroup = [...seen.values()].some((s) => s.pgid === self.pgid && s.cmdline === self.cmdline);
      if (sameGroup) continue;
      seen.set(pid, { pid, pgid: self.pgid, cmdline: self.cmdline, ancestors });
    }
  };
  const timer = setInterval(look, o.everyMs ?? 100);
  return {
    stop() {
      clearInterval(timer);
      look();
      return [...seen.values()];
    },
  };
}
