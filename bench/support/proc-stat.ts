/**
 * Whole-machine CPU time and process creations from /proc/stat, to tell a benchmark window's own cost
 * from waiting: busy CPU ms (all cores; resolution one clock tick, 10 ms) and forks during the window.
 *
 *   const a = procStat(); ...; const d = procStatDelta(a, procStat()); // d.busyMs, d.forks
 */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** Busy ticks summed over cores (everything but idle and iowait). */
  busyTicks: number;
  /** Processes created since boot. */
  forks: number;
}

/** USER_HZ on Linux: /proc/stat counts in 1/100 s. */
const TICK_MS = 10;

export function procStat(): ProcStat {
  const text = readFileSync('/proc/stat', 'utf8');
  const cpu = /^cpu\s+(.*)$/m.exec(text);
  const forks = /^processes\s+(\d+)$/m.exec(text);
  if (!cpu || !forks) throw new Error('/proc/stat: expected a "cpu" and a "processes" line');
  const [user, nice, system, , , irq, softirq, steal] = cpu[1]!.trim().split(/\s+/).map(Number);
  const busyTicks = [user, nice, system, irq, softirq, steal].reduce<number>((a, v) => a + (v ?? 0), 0);
  return { busyTicks, forks: Number(forks[1]) };
}

export function procStatDelta(from: ProcStat, to: ProcStat): { busyMs: number; forks: number } {
  return { busyMs: (to.busyTicks - from.busyTicks) * TICK_MS, forks: to.forks - from.forks };
}
