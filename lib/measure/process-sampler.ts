/**
 * CPU and memory of one process on a Host (e.g. the control node), plus host-wide CPU, streamed from
 * /proc by one long-running loop on the host (lib/measure/proc-loop.ts) — not one SSH exec per sample,
 * so sampling stays cheap on the measured machine.
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
import type { Host } from '../hosts/host.ts';
import { hostCpuPercentOfAllCores, processCpuPercent, ProcLoop, type ProcSample } from './proc-loop.ts';
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

/** Uncertainty of a CPU % over one interval: one tick of it. */
export function samplerResolution(intervalMs: number, hz: number): SamplerResolution {
  const cpuTickMs = 1000 / hz;
  return { intervalMs, cpuTickMs, cpuPercent: (cpuTickMs / intervalMs) * 100 };
}

export class ProcessSampler {
  readonly cpu: Series;
  readonly rss: Series;
  readonly vsz: Series;
  readonly hostCpu: Series;
  private loop: ProcLoop | undefined;
  private prev: ProcSample | undefined;

  private constructor(
    readonly pid: number,
    readonly intervalMs: number,
    makeSeries: (name: string, unit: string) => Series,
  ) {
    this.cpu = makeSeries('cpu', '%');
    this.rss = makeSeries('rss', 'B');
    this.vsz = makeSeries('vsz', 'B');
    this.hostCpu = makeSeries('host_cpu', '%');
  }

  static async start(host: Host, opts: ProcessSamplerOptions): Promise<ProcessSampler> {
    const intervalMs = opts.intervalMs ?? 500;
    if (!Number.isInteger(opts.pid) || opts.pid <= 0) {
      throw new Error(`process sampler on ${host.name}: expected a pid > 0, found ${opts.pid}`);
    }
    const meta = { host: host.name, pid: opts.pid, intervalMs };
    const make = opts.makeSeries ?? ((name: string, unit: string) => new Series(name, unit, { meta }));
    const s = new ProcessSampler(opts.pid, intervalMs, make);
    s.loop = await ProcLoop.start(
      host,
      { pids: [opts.pid], intervalMs, meminfo: false, untilGone: true, name: `cpu-sampler#${opts.pid}` },
      (sample) => s.onSample(sample),
    );
    return s;
  }

  get resolution(): SamplerResolution {
    return samplerResolution(this.intervalMs, this.loop?.hz ?? 100);
  }

  get ended(): Promise<void> {
    return this.loop!.ended;
  }

  /** Pid (and process group) of the sampling loop on its host. */
  get loopPid(): number {
    return this.loop!.pid;
  }

  /** True when the loop ended because the sampled process went away. */
  get targetGone(): boolean {
    return this.loop?.targetGone ?? false;
  }

  /** First malformed line seen, if any (a /proc layout this parser does not know). */
  get error(): string | undefined {
    return this.loop?.error;
  }

  private onSample(sample: ProcSample): void {
    const own = sample.procs.get(this.pid);
    if (!own) return;
    const prev = this.prev;
    this.prev = sample;
    this.rss.add(own.rss, sample.t, sample.wall);
    this.vsz.add(own.vsz, sample.t, sample.wall);
    if (!prev) return;
    const cpu = processCpuPercent(prev, sample, this.pid, this.loop?.hz ?? 100);
    if (cpu !== undefined) this.cpu.add(cpu, sample.t, sample.wall);
    const hostCpu = hostCpuPercentOfAllCores(prev, sample);
    if (hostCpu !== undefined) this.hostCpu.add(hostCpu, sample.t, sample.wall);
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    await Promise.all([this.cpu, this.rss, this.vsz, this.hostCpu].map((s) => s.close()));
  }
}
