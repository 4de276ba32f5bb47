/**
 * A whole machine (a test server) over a run: host-total CPU and memory used, plus the CPU of the
 * processes a load started there, from one long-running /proc loop on the host (lib/measure/proc-loop.ts).
 * The processes start while the sampler runs (each iteration, each flap), so `track(pid)` restarts the loop
 * with the new pid set: one command per host at a time, and a restart per process start, never an exec per
 * sample. Counters are absolute, so the first reading of a new loop is compared with the last of the old one
 * and no interval is lost.
 *
 * API:
 * - `const s = await HostSampler.start(host, { intervalMs = 500, makeSeries? })`
 *   series: `s.cpu` (busy time of all cores, % of ONE core like the control node's: 2 busy cores = 200),
 *   `s.memUsed` (bytes: MemTotal - MemAvailable); `s.cores` (online cores, 0 = unknown).
 * - `s.track({ pid, name, server? })` adds a process; its series `proc.<pid>.cpu` (% of one core) is
 *   `s.processes.get(pid).cpu`. Readings of a process start at its second sample.
 * - `await s.settled()` resolves once every tracked pid is in the running loop.
 * - `s.error`: what went wrong (a loop that could not start or ended by itself, a malformed line).
 * - `await s.stop()` ends the loop and closes the series.
 */
import type { Host } from '../hosts/host.ts';
import {
  hostCpuPercentOfOneCore,
  memUsedBytes,
  processCpuPercent,
  ProcLoop,
  type ProcSample,
} from './proc-loop.ts';
import { Series } from './series.ts';

export type MakeSeries = (name: string, unit: string, meta: Record<string, unknown>) => Series;

export interface HostSamplerOptions {
  intervalMs?: number;
  makeSeries?: MakeSeries;
}

/** A process of the load on this host. */
export interface SampledProcess {
  pid: number;
  /** E.g. "bgp_stress_test#3@a2s41". */
  name: string;
  /** The scenario server it runs for (several may share one host). */
  server?: string;
}

export class HostSampler {
  readonly cpu: Series;
  readonly memUsed: Series;
  readonly processes = new Map<number, SampledProcess & { cpu: Series }>();
  private loop: ProcLoop | undefined;
  private loopPids = '';
  /** Only the newest loop's readings count (the old one runs until the new one is up). */
  private active: object | undefined;
  private prev: ProcSample | undefined;
  /** Last reading per pid: a process first seen by a later loop still has its delta. */
  private prevOfPid = new Map<number, ProcSample>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private problem: string | undefined;
  private readonly makeSeries: MakeSeries;

  private constructor(
    readonly host: Host,
    readonly intervalMs: number,
    makeSeries: MakeSeries | undefined,
  ) {
    this.makeSeries =
      makeSeries ?? ((name, unit, meta) => new Series(name, unit, { meta: { host: host.name, ...meta } }));
    this.cpu = this.makeSeries('cpu', '%', { of: 'one core', intervalMs });
    this.memUsed = this.makeSeries('mem_used', 'B', { intervalMs });
  }

  static async start(host: Host, opts: HostSamplerOptions = {}): Promise<HostSampler> {
    const s = new HostSampler(host, opts.intervalMs ?? 500, opts.makeSeries);
    await s.respawn();
    return s;
  }

  get hz(): number {
    return this.loop?.hz ?? 100;
  }

  get cores(): number {
    return this.loop?.cores ?? 0;
  }

  get error(): string | undefined {
    return this.problem ?? this.loop?.error;
  }

  track(p: SampledProcess): void {
    if (this.stopped || this.processes.has(p.pid)) return;
    const cpu = this.makeSeries(`proc.${p.pid}.cpu`, '%', {
      of: 'one core',
      pid: p.pid,
      process: p.name,
      ...(p.server === undefined ? {} : { server: p.server }),
      intervalMs: this.intervalMs,
    });
    this.processes.set(p.pid, { ...p, cpu });
    this.chain = this.chain
      .then(() => this.respawn())
      .catch((err: Error) => {
        this.problem ??= `sampler on ${this.host.name}: cannot sample pid ${p.pid}: ${err.message}`;
      });
  }

  settled(): Promise<void> {
    return this.chain;
  }

  /** Starts a loop over the tracked pids (when they changed), then ends the previous one. */
  private async respawn(): Promise<void> {
    const pids = [...this.processes.keys()];
    if (this.stopped || (this.loop && pids.join(' ') === this.loopPids)) return;
    const token = {};
    const loop = await ProcLoop.start(
      this.host,
      {
        pids,
        intervalMs: this.intervalMs,
        meminfo: true,
        untilGone: false,
        name: `host-sampler@${this.host.name}`,
      },
      (sample) => {
        if (this.active === token) this.onSample(sample);
      },
    );
    const old = this.loop;
    this.loop = loop;
    this.loopPids = pids.join(' ');
    this.active = token;
    void loop.ended.then(() => {
      if (!this.stopped && this.active === token)
        this.problem ??= `sampler on ${this.host.name}: the sampling loop ended by itself`;
    });
    if (this.stopped) await loop.stop();
    await old?.stop();
  }

  private onSample(sample: ProcSample): void {
    const prev = this.prev;
    this.prev = sample;
    const used = memUsedBytes(sample);
    if (used !== undefined) this.memUsed.add(used, sample.t, sample.wall);
    if (prev) {
      const cpu = hostCpuPercentOfOneCore(prev, sample, this.hz);
      if (cpu !== undefined) this.cpu.add(cpu, sample.t, sample.wall);
    }
    for (const pid of sample.procs.keys()) {
      const before = this.prevOfPid.get(pid);
      this.prevOfPid.set(pid, sample);
      const p = this.processes.get(pid);
      if (!before || !p) continue;
      const cpu = processCpuPercent(before, sample, pid, this.hz);
      if (cpu !== undefined) p.cpu.add(cpu, sample.t, sample.wall);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    this.active = undefined;
    await this.loop?.stop();
    await Promise.all(
      [this.cpu, this.memUsed, ...[...this.processes.values()].map((p) => p.cpu)].map((s) => s.close()),
    );
  }
}
