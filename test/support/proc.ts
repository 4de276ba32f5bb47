/** Reading this machine's /proc in tests: is a process still running, who is in a process group. */
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  state: string;
  ppid: number;
  pgid: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Running = exists and is not a zombie (a zombie has ended; only its exit status is left). */
export function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Running processes whose process group is pgid. */
export function runningInGroup(pgid: number): number[] {
  return allPids().filter((pid) => {
    const s = stat(pid);
    return s !== undefined && s.pgid === pgid && s.state !== 'Z';
  });
}

/** Running processes whose environment holds NAME=value. */
export function runningWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  return allPids().filter((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      return env.includes(needle) && isRunning(pid);
    } catch {
      return false;
    }
  });
}
