/**
 * The one way netscale reads /proc on a lab machine while a run goes on: ONE long-running POSIX sh loop
 * started with Host.spawn prints a line per interval (host CPU counters, optionally MemTotal/MemAvailable,
 * and the CPU ticks and memory of a set of pids), so sampling costs no SSH exec per sample. The pure
 * derivations from two readings (CPU % of a process, of the host) live here too, so every sampler
 * computes them the same way.
 *
 * API:
 * - `const loop = await ProcLoop.start(host, { pids, intervalMs, meminfo, untilGone, name }, onSample)`:
 *   `onSample(ProcSample)` per line, stamped on arrival (monotonic clock); `loop.hz`, `loop.cores`;
 *   `loop.ended`, `loop.targetGone` (with untilGone: every pid went away), `loop.error` (first malformed
 *   line), `loop.pid` (its process group), `await loop.stop()`: the loop ends itself when its stdin closes,
 *   so stopping it is one channel EOF, not the TERM/probe round trips of ProcessHandle.stop (which remains
 *   the fallback).
 * - `processCpuPercent(prev, cur, pid, hz)`: % of one core (100 = one core busy, like top).
 * - `hostCpuPercentOfOneCore(prev, cur, hz)`: busy time of all cores, % of one core (N cores: up to N×100).
 * - `hostCpuPercentOfAllCores(prev, cur)`: busy share of all cores (100 = every core busy).
 * - `memUsedBytes(sample)`: MemTotal - MemAvailable.
 * - `procLoopScript(opts)`, `parseProcLine(line)`: the shell side and its line format; with `count` the
 *   script ends by itself after that many samples, and `pidCommand` finds the pid on the host first (one
 *   exec for a one-off reading, lib/measure/process-reading.ts).
 */
import { monotonicMs } from '../clock.ts';
import type { Host, ProcessHandle } from '../hosts/host.ts';

export interface ProcLoopOptions {
  pids: readonly number[];
  intervalMs: number;
  /** Read MemTotal and MemAvailable of the host each interval. */
  meminfo: boolean;
  /** End the loop once none of the pids exists (a sampler of one process); else it runs until stop(). */
  untilGone: boolean;
  /** Process name on the host (logs, reaper output). */
  name: string;
}

/** One process in one reading. */
export interface ProcReading {
  /** utime + stime, clock ticks. */
  ticks: number;
  /** Clock ticks after boot when the process started: tells a reused pid from the one sampled before. */
  startTicks: number;
  rss: number;
  vsz: number;
}

/** One line of the loop: counters as read, nothing derived yet. */
export interface ProcSample {
  /** Host uptime, s: the interval between two readings on the host's own clock. */
  uptime: number;
  /** Aggregate `cpu` line of /proc/stat over all cores, clock ticks. */
  cpuTotal: number;
  /** idle + iowait of that line. */
  cpuIdle: number;
  /** Bytes, when meminfo was asked for and the kernel reports MemAvailable. */
  memTotal?: number;
  memAvailable?: number;
  /** The asked-for pids that existed at this reading. */
  procs: Map<number, ProcReading>;
  /** Monotonic ms and epoch ms of the line's arrival. */
  t: number;
  wall: number;
}

export type ProcLine =
  | { kind: 'header'; hz: number; cores: number }
  /** What pidCommand printed, as the pid the loop samples ('' when it printed no number). */
  | { kind: 'pid'; text: string }
  | { kind: 'sample'; sample: Omit<ProcSample, 't' | 'wall'> }
  | { kind: 'end' }
  | { kind: 'bad'; text: string };

/**
 * POSIX sh: only builtins read /proc; `sleep` is the one child per interval. Line format:
 *   P <pid from pidCommand, or nothing>           (with pidCommand only)
 *   H <CLK_TCK> <online cores, 0 = unknown>
 *   S <uptime>|<cpu line after "cpu">|<MemTotal kB> <MemAvailable kB> or -|<pid> <rss kB> <vsz kB> <stat after "(comm) ">|...
 *   E gone
 */
/** How long stop() waits for the loop to end itself after its stdin closed, before signalling it. */
const EOF_EXIT_MS = 3000;

export function procLoopScript(
  o: Omit<ProcLoopOptions, 'name'> & { count?: number; endOnStdinEof?: boolean; pidCommand?: string },
): string {
  for (const p of o.pids) {
    if (!Number.isInteger(p) || p <= 0) throw new Error(`proc loop: expected pids > 0, found ${p}`);
  }
  const sleepS = (o.intervalMs / 1000).toFixed(3);
  return [
    ...(o.pidCommand === undefined
      ? [`pids='${o.pids.join(' ')}'`]
      : [
          // The first word it prints, if a number (set -- splits it without another process).
          `pids=$( (${o.pidCommand}) 2>/dev/null )`,
          `set -- $pids`,
          `pids=\${1-}`,
          `case $pids in ''|*[!0-9]*) pids=;; esac`,
          `echo "P $pids"`,
        ]),
    `hz=$(getconf CLK_TCK 2>/dev/null || echo 100)`,
    `kb=$(( $(getconf PAGESIZE 2>/dev/null || echo 4096) / 1024 ))`,
    `n=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 0)`,
    ...(o.endOnStdinEof
      ? [
          // A background list gets /dev/null as stdin unless redirected: hand it the real one on fd 3.
          // When stdin closes (stop(), or the connection to netscale dropped) the whole group ends.
          `exec 3<&0`,
          `(cat >/dev/null; kill -TERM 0) <&3 &`,
          `exec 3<&- </dev/null`,
        ]
      : []),
    `echo "H $hz $n"`,
    `i=0`,
    `while :; do`,
    `  read -r u _ < /proc/uptime`,
    `  read -r _ c < /proc/stat`,
    ...(o.meminfo
      ? [
          // MemAvailable is the third line: stop reading there (read takes a byte per syscall).
          `  mt=; ma=`,
          `  while read -r k v _; do case $k in MemTotal:) mt=$v;; MemAvailable:) ma=$v; break;; esac; done < /proc/meminfo`,
          `  l="S $u|$c|$mt $ma"`,
        ]
      : [`  l="S $u|$c|-"`]),
    `  a=0`,
    `  for p in $pids; do`,
    // statm (sizes in pages) is one short line; /proc/<pid>/status would be read byte by byte.
    `    { read -r s < /proc/$p/stat && read -r v r _ < /proc/$p/statm; } 2>/dev/null || continue`,
    `    l="$l|$p $((r * kb)) $((v * kb)) \${s##*) }"; a=1`,
    `  done`,
    ...(o.untilGone ? [`  [ $a = 1 ] || break`] : []),
    `  echo "$l"`,
    ...(o.count === undefined ? [] : [`  i=$((i + 1)); [ $i -lt ${o.count} ] || exit 0`]),
    `  sleep ${sleepS}`,
    `done`,
    `echo "E gone"`,
  ].join('\n');
}

const nums = (text: string | undefined): number[] =>
  (text ?? '').trim().split(/\s+/).filter(Boolean).map(Number);

export function parseProcLine(line: string): ProcLine | undefined {
  if (line.startsWith('H ')) {
    const [hz, cores] = nums(line.slice(2));
    return { kind: 'header', hz: hz || 100, cores: cores || 0 };
  }
  if (line.startsWith('E ')) return { kind: 'end' };
  if (line === 'P' || line.startsWith('P ')) return { kind: 'pid', text: line.slice(2).trim() };
  if (!line.startsWith('S ')) return undefined;
  const bad = { kind: 'bad' as const, text: `unexpected sampler line: ${line.slice(0, 200)}` };
  const [up, cpu, mem, ...procFields] = line.slice(2).split('|');
  const uptime = Number((up ?? '').trim());
  const host = nums(cpu);
  if (host.length < 4 || host.some(Number.isNaN) || Number.isNaN(uptime) || (up ?? '').trim() === '')
    return bad;
  const sample: Omit<ProcSample, 't' | 'wall'> = {
    uptime,
    // user nice system idle iowait irq softirq steal: guest time is already counted in user.
    cpuTotal: host.slice(0, 8).reduce((a, b) => a + b, 0),
    cpuIdle: host[3]! + (host[4] ?? 0),
    procs: new Map(),
  };
  const [memTotalKb, memAvailableKb] = nums(mem === '-' ? '' : mem);
  if (memTotalKb !== undefined && memAvailableKb !== undefined) {
    if (Number.isNaN(memTotalKb + memAvailableKb)) return bad;
    sample.memTotal = memTotalKb * 1024;
    sample.memAvailable = memAvailableKb * 1024;
  }
  for (const field of procFields) {
    const [pid, rssKb, vszKb, ...stat] = field.trim().split(/\s+/);
    // Fields after "(comm) ": state is index 0, utime 11, stime 12, starttime 19 (proc(5) 14, 15, 22).
    const reading: ProcReading = {
      ticks: Number(stat[11]) + Number(stat[12]),
      startTicks: Number(stat[19]),
      rss: Number(rssKb) * 1024,
      vsz: Number(vszKb) * 1024,
    };
    if (Object.values(reading).some(Number.isNaN) || !Number.isInteger(Number(pid))) return bad;
    sample.procs.set(Number(pid), reading);
  }
  return { kind: 'sample', sample };
}

type Counters = Pick<ProcSample, 'uptime' | 'cpuTotal' | 'cpuIdle' | 'procs'>;

/** CPU of `pid` between two readings, % of one core; undefined when either lacks it or the pid was reused. */
export function processCpuPercent(
  prev: Counters,
  cur: Counters,
  pid: number,
  hz: number,
): number | undefined {
  const a = prev.procs.get(pid);
  const b = cur.procs.get(pid);
  const dt = cur.uptime - prev.uptime;
  if (!a || !b || a.startTicks !== b.startTicks || dt <= 0) return undefined;
  return ((b.ticks - a.ticks) / hz / dt) * 100;
}

/** Busy time of every core together between two readings, % of one core (2 busy cores: 200). */
export function hostCpuPercentOfOneCore(prev: Counters, cur: Counters, hz: number): number | undefined {
  const dt = cur.uptime - prev.uptime;
  if (dt <= 0) return undefined;
  const busy = cur.cpuTotal - cur.cpuIdle - (prev.cpuTotal - prev.cpuIdle);
  return (Math.max(0, busy) / hz / dt) * 100;
}

/** Busy share of all cores between two readings, % (100 = every core busy). */
export function hostCpuPercentOfAllCores(prev: Counters, cur: Counters): number | undefined {
  const dTotal = cur.cpuTotal - prev.cpuTotal;
  if (dTotal <= 0) return undefined;
  return (1 - (cur.cpuIdle - prev.cpuIdle) / dTotal) * 100;
}

export function memUsedBytes(s: Pick<ProcSample, 'memTotal' | 'memAvailable'>): number | undefined {
  return s.memTotal === undefined || s.memAvailable === undefined ? undefined : s.memTotal - s.memAvailable;
}

export class ProcLoop {
  private handle: ProcessHandle | undefined;
  private clockHz = 100;
  private onlineCores = 0;
  private gone = false;
  private parseError: string | undefined;

  private constructor(private readonly onSample: (s: ProcSample) => void) {}

  static async start(host: Host, o: ProcLoopOptions, onSample: (s: ProcSample) => void): Promise<ProcLoop> {
    const loop = new ProcLoop(onSample);
    // Told from the first line: the header may arrive before spawn() resolves.
    loop.handle = await host.spawn(procLoopScript({ ...o, endOnStdinEof: true }), {
      name: o.name,
      stdin: 'pipe',
      onLine: (line, stream) => {
        if (stream === 'stdout') loop.onLine(line);
      },
    });
    return loop;
  }

  /** Clock ticks per second on the host (CLK_TCK). */
  get hz(): number {
    return this.clockHz;
  }

  /** Online cores of the host; 0 when the host did not say. */
  get cores(): number {
    return this.onlineCores;
  }

  /** Pid (and process group) of the loop on its host. */
  get pid(): number {
    return this.handle!.pid;
  }

  /** With untilGone: true once the loop ended because every sampled process went away. */
  get targetGone(): boolean {
    return this.gone;
  }

  /** First malformed line seen, if any (a /proc layout this parser does not know). */
  get error(): string | undefined {
    return this.parseError;
  }

  get ended(): Promise<void> {
    return this.handle!.wait().then(() => undefined);
  }

  private onLine(line: string): void {
    const parsed = parseProcLine(line);
    if (!parsed) return;
    if (parsed.kind === 'header') {
      this.clockHz = parsed.hz;
      this.onlineCores = parsed.cores;
    } else if (parsed.kind === 'end') this.gone = true;
    else if (parsed.kind === 'bad') this.parseError ??= parsed.text;
    else if (parsed.kind === 'sample')
      this.onSample({ ...parsed.sample, t: monotonicMs(), wall: Date.now() });
  }

  async stop(): Promise<void> {
    const h = this.handle;
    if (!h || h.exited) return;
    await h.closeStdin();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      h.wait().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), EOF_EXIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ended) await h.stop({ graceMs: 1000 });
  }
}
