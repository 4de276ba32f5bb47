/**
 * One reading of a process and its host, for a before/after snapshot: CPU is a rate, so it is two /proc
 * readings `windowMs` apart, taken by one exec of the samplers' loop bounded to two samples (same line
 * format and derivations, lib/measure/proc-loop.ts); memory is the second reading. Given a pid command,
 * the same exec looks the pid up first: one round trip to the host in all.
 *
 *   const r = await readProcessAndHost(host, pid, { windowMs: 500 });
 *   const r = await readProcessAndHost(host, { pidCommand: 'cat /run/x.pid' });
 *   r.process.cpu (% of one core), r.process.rss, r.host.cpu (% of one core), r.host.memUsed, r.cpuResolution
 */
import type { Host } from '../hosts/host.ts';
import {
  hostCpuPercentOfOneCore,
  memUsedBytes,
  parseProcLine,
  processCpuPercent,
  procLoopScript,
  type ProcSample,
} from './proc-loop.ts';
import { samplerResolution } from './process-sampler.ts';

export interface ProcessAndHostReading {
  windowMs: number;
  /** Uncertainty of the process's CPU % (one tick over the window); the host's adds one per core. */
  cpuResolution: number;
  process: { pid: number; cpu: number; rss: number; vsz: number };
  host: {
    name: string;
    /** Busy time of all cores, % of one core. */
    cpu: number;
    /** Online cores; 0 when the host did not say. */
    cores: number;
    memTotal?: number;
    /** MemTotal - MemAvailable. */
    memUsed?: number;
  };
}

export async function readProcessAndHost(
  host: Host,
  target: number | { pidCommand: string },
  o: { windowMs?: number; timeoutMs?: number } = {},
): Promise<ProcessAndHostReading> {
  const windowMs = o.windowMs ?? 500;
  const byCommand = typeof target === 'number' ? undefined : target.pidCommand;
  const script = procLoopScript({
    pids: typeof target === 'number' ? [target] : [],
    pidCommand: byCommand,
    intervalMs: windowMs,
    meminfo: true,
    untilGone: true,
    count: 2,
  });
  const asked = byCommand === undefined ? `pid ${String(target)}` : `the pid from '${byCommand}'`;
  const r = await host.exec(script, { timeoutMs: windowMs + (o.timeoutMs ?? 30_000) });
  if (r.code !== 0 || r.timedOut)
    throw new Error(
      `${host.name}: reading /proc for ${asked} ${r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`}: ${r.stderr.trim().slice(0, 300)}`,
    );
  let pid = typeof target === 'number' ? target : undefined;
  let hz = 100;
  let cores = 0;
  const samples: ProcSample[] = [];
  for (const line of r.stdout.split('\n')) {
    const parsed = parseProcLine(line);
    if (parsed?.kind === 'header') ({ hz, cores } = parsed);
    else if (parsed?.kind === 'pid') pid = parsed.text === '' ? undefined : Number(parsed.text);
    else if (parsed?.kind === 'bad') throw new Error(`${host.name}: ${parsed.text}`);
    else if (parsed?.kind === 'sample') samples.push({ ...parsed.sample, t: 0, wall: 0 });
  }
  if (pid === undefined) throw new Error(`${host.name}: expected a pid from '${byCommand}', found none`);
  const [a, b] = samples;
  const own = b?.procs.get(pid);
  const cpu = a && b ? processCpuPercent(a, b, pid, hz) : undefined;
  const hostCpu = a && b ? hostCpuPercentOfOneCore(a, b, hz) : undefined;
  if (!own || cpu === undefined || hostCpu === undefined) {
    throw new Error(
      `${host.name}: pid ${pid} is not running (expected two /proc readings ${windowMs} ms apart, got ${samples.length})`,
    );
  }
  const memUsed = memUsedBytes(b!);
  return {
    windowMs,
    cpuResolution: samplerResolution(windowMs, hz).cpuPercent,
    process: { pid, cpu, rss: own.rss, vsz: own.vsz },
    host: {
      name: host.name,
      cpu: hostCpu,
      cores,
      ...(b!.memTotal === undefined ? {} : { memTotal: b!.memTotal }),
      ...(memUsed === undefined ? {} : { memUsed }),
    },
  };
}
