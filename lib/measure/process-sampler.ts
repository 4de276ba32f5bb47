/**
 * CPU and memory of one process on a Host (e.g. the control node), plus host-wide CPU, read from /proc
 * by ONE long-running shell loop started with Host.spawn that prints a line per interval — not one
 * SSH exec per sample, so sampling stays cheap on the measured machine.
 *
 * API:
 * - `const s = await ProcessSampler.start(host, { pid, intervalMs = 500, makeSeries? })`
 *   series: `s.cpu` (% like top: 100 = one core busy), `s.rss` and `s.vsz` (bytes), `s.hostCpu`
 *   (% of all cores, 100 = every core busy); `makeSeries(name, unit)` lets the run archive own the files
 *   (names: cpu, rss, vsz, host_cpu).
 * - `s.resolution` -> {intervalMs, cpuTickMs, cpuPercent}: CPU % is a tick count over an interval, so it is
 *   known to ±(one tick / interval) ×100; points are stamped on arrival (monotonic clock).
 * - `s.ended` resolves when the loop ends (process gone, or stop()); `s.targetGone` tells which.
 * - `await s.stop()` ends the loop (its whole process group) and closes the series; `s.loopPid` is its pid.
 */
import type { Host, ProcessHandle } from '../hosts/host.ts';
import { Series } from './series.ts';

export interface ProcessSamplerOptions {
  pid: number;
  intervalMs?: number;
  makeSeries?: (name: string, unit: string) => Series;
}

export interface SamplerResolution {
  intervalMs: number;
  /** Length of one kernel CPU tick (1000 / CLK_TCK). */
  cpuTickMs: number;
  /** Uncertainty of one CPU % sample. */
  cpuPercent: number;
}

/** POSIX sh: only builtins read /proc; `sleep` is the one child per interval. */
function samplerScript(pid: number, intervalMs: number): string {
  const sleepS = (intervalMs / 1000).toFixed(3);
  return [
    `p=${pid}`,
    `hz=$(getconf CLK_TCK 2>/dev/null || echo 100)`,
    `kb=$(( $(getconf PAGESIZE 2>/dev/null || echo 4096) / 1024 ))`,
    `echo "H $hz"`,
    `while [ -r /proc/$p/stat ]; do`,
    `  read -r u _ < /proc/uptime`,
    `  read -r _ c < /proc/stat`,
    `  read -r s < /proc/$p/stat || break`,
    // statm (sizes in pages) is one short line; /proc/<pid>/status would be read byte by byte.
    `  read -r v r _ < /proc/$p/statm || break`,
    `  echo "S $u|$c|\${s##*) }|$((r * kb))|$((v * kb))"`,
    `  sleep ${sleepS}`,
    `done`,
    `echo "E gone"`,
  ].join('\n');
}

interface Raw {
  uptime: number;
  hostTotal: number;
  hostIdle: number;
  procTicks: number;
}

export class ProcessSampler {
  readonly cpu: Series;
  readonly rss: Series;
  readonly vsz: Series;
  readonly hostCpu: Series;
  readonly ended: Promise<void>;
  private hz = 100;
  private prev: Raw | undefined;
  private gone = false;
  private parseError: string | undefined;

  private constructor(
    private readonly handle: ProcessHandle,
    readonly pid: number,
    readonly intervalMs: number,
    makeSeries: (name: string, unit: string) => Series,
  ) {
    this.cpu = makeSeries('cpu', '%');
    this.rss = makeSeries('rss', 'B');
    this.vsz = makeSeries('vsz', 'B');
    this.hostCpu = makeSeries('host_cpu', '%');
    handle.onLine((line, stream) => {
      if (stream === 'stdout') this.onLine(line);
    });
    this.ended = handle.wait().then(() => undefined);
  }

  static async start(host: Host, opts: ProcessSamplerOptions): Promise<ProcessSampler> {
    const intervalMs = opts.intervalMs ?? 500;
    if (!Number.isInteger(opts.pid) || opts.pid <= 0) {
      throw new Error(`process sampler on ${host.name}: expected a pid > 0, found ${opts.pid}`);
    }
    const meta = { host: host.name, pid: opts.pid, intervalMs };
    const make = opts.makeSeries ?? ((name: string, unit: string) => new Series(name, unit, { meta }));
    const handle = await host.spawn(samplerScript(opts.pid, intervalMs), { name: `cpu-sampler#${opts.pid}` });
    return new ProcessSampler(handle, opts.pid, intervalMs, make);
  }

  get resolution(): SamplerResolution {
    const cpuTickMs = 1000 / this.hz;
    return { intervalMs: this.intervalMs, cpuTickMs, cpuPercent: (cpuTickMs / this.intervalMs) * 100 };
  }

  /** Pid (and process group) of the sampling loop on its host. */
  get loopPid(): number {
    return this.handle.pid;
  }

  /** True when the loop ended because the sampled process went away. */
  get targetGone(): boolean {
    return this.gone;
  }

  /** First malformed line seen, if any (a /proc layout this parser does not know). */
  get error(): string | undefined {
    return this.parseError;
  }

  private onLine(line: string): void {
    if (line.startsWith('H ')) {
      this.hz = Number(line.slice(2)) || 100;
    } else if (line.startsWith('S ')) {
      this.onSample(line.slice(2));
    } else if (line.startsWith('E ')) {
      this.gone = true;
    }
  }

  private onSample(body: string): void {
    const [up, hostCpu, procStat, rssKb, vszKb] = body.split('|');
    const host = (hostCpu ?? '').trim().split(/\s+/).map(Number);
    const proc = (procStat ?? '').trim().split(/\s+/);
    // Fields after "(comm) ": state is index 0, utime 11, stime 12 (proc(5) fields 14 and 15).
    const utime = Number(proc[11]);
    const stime = Number(proc[12]);
    const uptime = Number((up ?? '').trim());
    if (host.length < 4 || host.some(Number.isNaN) || Number.isNaN(utime + stime + uptime)) {
      this.parseError ??= `unexpected sampler line: ${body.slice(0, 200)}`;
      return;
    }
    const raw: Raw = {
      uptime,
      hostTotal: host.reduce((a, b) => a + b, 0),
      // idle + iowait
      hostIdle: host[3]! + (host[4] ?? 0),
      procTicks: utime + stime,
    };
    const prev = this.prev;
    this.prev = raw;
    this.rss.add(Number(rssKb) * 1024);
    this.vsz.add(Number(vszKb) * 1024);
    if (!prev) return;
    const dt = raw.uptime - prev.uptime;
    if (dt > 0) this.cpu.add(((raw.procTicks - prev.procTicks) / this.hz / dt) * 100);
    const dTotal = raw.hostTotal - prev.hostTotal;
    if (dTotal > 0) this.hostCpu.add((1 - (raw.hostIdle - prev.hostIdle) / dTotal) * 100);
  }

  async stop(): Promise<void> {
    await this.handle.stop({ graceMs: 1000 });
    await Promise.all([this.cpu, this.rss, this.vsz, this.hostCpu].map((s) => s.close()));
  }
}
