/**
 * One process's CPU time and memory from /proc (the daemon under test runs in another network namespace
 * but in this pid namespace): utime+stime of all its threads from /proc/<pid>/stat (resolution one tick,
 * 10 ms), and VmRSS / VmHWM (the kernel's own peak of the resident set) from /proc/<pid>/status.
 *
 *   const before = cpuSeconds(pid); ...; const used = cpuSeconds(pid) - before; memory(pid).peakBytes
 */
import { readFileSync } from 'node:fs';

/** USER_HZ on Linux: /proc/<pid>/stat counts in 1/100 s. */
export const CPU_TICK_S = 0.01;

export function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)" start at state (field 3): utime is field 14, stime field 15.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(
      `/proc/${pid}/stat: expected utime and stime in fields 14 and 15, found ${text.slice(0, 200)}`,
    );
  return (utime + stime) * CPU_TICK_S;
}

export function memory(pid: number): { rssBytes: number; peakBytes: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`/proc/${pid}/status: expected a "${key}: N kB" line`);
    return Number(m[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakBytes: kib('VmHWM') };
}

/** MemAvailable from /proc/meminfo, in bytes. */
export function memAvailableBytes(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m) throw new Error('/proc/meminfo: expected a "MemAvailable: N kB" line');
  return Number(m[1]) * 1024;
}
