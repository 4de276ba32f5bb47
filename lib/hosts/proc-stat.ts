/**
 * A process's line in this machine's /proc/<pid>/stat: "pid (comm) state ppid pgrp ... starttime ...".
 * comm may hold spaces and parentheses, so it ends at the last ')'.
 *
 *   parseProcStat(text) -> { comm, state, ppid, pgrp, startTicks } | undefined
 *   readProcStat(pid | 'self') -> the same, read now; undefined when the process is gone
 */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  comm: string;
  /** One letter: R, S, D, Z (exited, not yet reaped), ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 22: start time in clock ticks since boot (tells a reused pid apart). */
  startTicks: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTicks: Number(fields[19]),
  };
}

export function readProcStat(pid: number | 'self'): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}
