import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  hostCpuPercentOfAllCores,
  hostCpuPercentOfOneCore,
  memUsedBytes,
  parseProcLine,
  processCpuPercent,
  ProcLoop,
  procLoopScript,
  type ProcSample,
} from '../../lib/measure/proc-loop.ts';
import type { Host } from '../../lib/hosts/host.ts';
import { minimalLocalHost } from './minimal-host.ts';
import { procLine } from './scripted-proc-host.ts';

const PROCESS_WAIT = { timeout: 15_000, interval: 20 };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function sample(line: string): ProcSample {
  const parsed = parseProcLine(line);
  if (parsed?.kind !== 'sample') throw new Error(`not a sample line: ${line}`);
  return { ...parsed.sample, t: 0, wall: 0 };
}

describe('proc loop lines', () => {
  it('reads host counters, memory and each process from one sample line', () => {
    const s = sample(
      procLine({
        uptime: 100.5,
        cpu: [10, 1, 5, 80, 4],
        memKb: [8000, 6000],
        procs: [{ pid: 42, utime: 30, stime: 12, start: 777, rssKb: 2048, vszKb: 4096 }],
      }),
    );
    expect(s.uptime).toBe(100.5);
    expect(s.cpuTotal).toBe(100);
    expect(s.cpuIdle).toBe(84);
    expect(s).toMatchObject({ memTotal: 8000 * 1024, memAvailable: 6000 * 1024 });
    expect(s.procs.get(42)).toEqual({ ticks: 42, startTicks: 777, rss: 2048 * 1024, vsz: 4096 * 1024 });
    expect(memUsedBytes(s)).toBe(2000 * 1024);
  });

  it('does not count guest time twice (the kernel already counts it in user)', () => {
    const s = sample('S 1.00|10 0 0 80 0 0 0 0 7 3|-');
    expect(s.cpuTotal).toBe(90);
    expect(s.memTotal).toBeUndefined();
  });

  it('tells header, end and malformed lines apart', () => {
    expect(parseProcLine('H 250 8')).toEqual({ kind: 'header', hz: 250, cores: 8 });
    expect(parseProcLine('E gone')).toEqual({ kind: 'end' });
    expect(parseProcLine('P 4242')).toEqual({ kind: 'pid', text: '4242' });
    expect(parseProcLine('P')).toEqual({ kind: 'pid', text: '' });
    expect(parseProcLine('S x|1 2|-')).toMatchObject({ kind: 'bad' });
    expect(parseProcLine('S 1.0|1 2 3 4 5|-|42 10 20 S 1 2')).toMatchObject({
      kind: 'bad',
      text: expect.stringContaining('unexpected sampler line: S 1.0|1 2 3 4 5|-|42'),
    });
    expect(parseProcLine('sh: 1: getconf: not found')).toBeUndefined();
  });

  it('refuses pids that cannot be a process', () => {
    expect(() => procLoopScript({ pids: [0], intervalMs: 100, meminfo: false, untilGone: false })).toThrow(
      'proc loop: expected pids > 0, found 0',
    );
  });
});

describe('CPU from two readings', () => {
  const hz = 100;
  const a = sample(
    procLine({ uptime: 10, cpu: [100, 0, 50, 1000, 50], procs: [{ pid: 7, utime: 20, stime: 5 }] }),
  );
  // One second later on 2 cores (200 ticks): 150 busy, 50 idle; pid 7 used 60 ticks.
  const b = sample(
    procLine({ uptime: 11, cpu: [200, 0, 100, 1040, 60], procs: [{ pid: 7, utime: 70, stime: 15 }] }),
  );

  it('gives a process in % of one core', () => {
    expect(processCpuPercent(a, b, 7, hz)).toBeCloseTo(60);
  });

  it('gives the host in % of one core, and in % of all cores', () => {
    expect(hostCpuPercentOfOneCore(a, b, hz)).toBeCloseTo(150);
    expect(hostCpuPercentOfAllCores(a, b)).toBeCloseTo(75);
  });

  it('gives nothing for a pid missing from a reading or reused by another process', () => {
    expect(processCpuPercent(a, b, 8, hz)).toBeUndefined();
    const reused = sample(
      procLine({
        uptime: 11,
        cpu: [200, 0, 100, 1040, 60],
        procs: [{ pid: 7, utime: 1, stime: 0, start: 9999 }],
      }),
    );
    expect(processCpuPercent(a, reused, 7, hz)).toBeUndefined();
    expect(hostCpuPercentOfOneCore(b, a, hz)).toBeUndefined();
  });
});

describe('the loop on this machine', () => {
  it('reads what /proc says, from one process, and leaves out a pid that does not exist', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    children.push(child);
    const samples: ProcSample[] = [];
    const gonePid = 2 ** 22 + 1; // above pid_max's default ceiling: never a process
    // Records whether the loop had to be signalled: closing its stdin should end it.
    const base = minimalLocalHost();
    let signalled = false;
    const host: Host = {
      ...base,
      spawn: async (command, opts) => {
        const h = await base.spawn(command, opts);
        return {
          ...h,
          get exited() {
            return h.exited;
          },
          onLine: (l) => h.onLine(l),
          stop: (o) => {
            signalled = true;
            return h.stop(o);
          },
        };
      },
    };
    const loop = await ProcLoop.start(
      host,
      {
        pids: [child.pid!, gonePid],
        intervalMs: 100,
        meminfo: true,
        untilGone: false,
        name: 'proc-loop-test',
      },
      (s) => samples.push(s),
    );
    try {
      await vi.waitFor(() => expect(samples.length).toBeGreaterThanOrEqual(3), PROCESS_WAIT);
    } finally {
      await loop.stop();
    }
    expect(signalled).toBe(false);
    // The whole group (loop, its sleep, its stdin watcher) goes: a wait, as orphans are reaped asynchronously.
    const groupAlive = () => {
      try {
        process.kill(-loop.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(groupAlive, PROCESS_WAIT).toBe(false);
    expect(loop.error).toBeUndefined();
    expect(loop.cores).toBe(cpus().length);
    const memTotalKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const last = samples.at(-1)!;
    expect(last.memTotal).toBe(memTotalKb * 1024);
    expect(last.memAvailable).toBeLessThanOrEqual(last.memTotal!);
    expect([...last.procs.keys()]).toEqual([child.pid]);
    // VmRSS is in kB whatever the page size: an independent reading of what statm gave the loop in pages.
    const vmRssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
    expect(Math.abs(last.procs.get(child.pid!)!.rss - vmRssKb * 1024)).toBeLessThan(0.2 * vmRssKb * 1024);
    child.kill('SIGKILL');
  });
});
