import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HostSampler } from '../../lib/measure/host-sampler.ts';
import { TestServerSampler } from '../../lib/measure/test-server-sampler.ts';
import { Series } from '../../lib/measure/series.ts';
import { minimalLocalHost } from './minimal-host.ts';
import { procLine, scriptedProcHost } from './scripted-proc-host.ts';

const PROCESS_WAIT = { timeout: 15_000, interval: 20 };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('HostSampler (scripted /proc)', () => {
  it('gives host CPU in % of one core and memory used, from one loop', async () => {
    const host = scriptedProcHost();
    const s = await HostSampler.start(host, { intervalMs: 500 });
    expect(host.loops).toHaveLength(1);
    const [loop] = host.loops;
    expect(loop!.pids).toEqual([]);
    loop!.print('H 100 4');
    loop!.print(procLine({ uptime: 10, cpu: [100, 0, 100, 1000, 0], memKb: [8000, 7000] }));
    // Half a second later: 4 cores busy 300 ticks of 400 -> 600 % of one core; memory used grows.
    loop!.print(procLine({ uptime: 10.5, cpu: [250, 0, 250, 1100, 0], memKb: [8000, 5000] }));
    expect(s.cpu.values()).toEqual([600]);
    expect(s.memUsed.values()).toEqual([1000 * 1024, 3000 * 1024]);
    expect(s.cores).toBe(4);
    await s.stop();
    expect(loop!.ended).toBe(true);
  });

  it('restarts its one loop with each new process, keeping every interval across the restart', async () => {
    const host = scriptedProcHost();
    const s = await HostSampler.start(host, { intervalMs: 500 });
    const first = host.loops[0]!;
    first.print(procLine({ uptime: 10, cpu: [0, 0, 0, 100, 0], memKb: [8000, 7000] }));
    s.track({ pid: 101, name: 'bgp_stress_test#1@ts1', server: 'ts1' });
    s.track({ pid: 101, name: 'bgp_stress_test#1@ts1', server: 'ts1' });
    await s.settled();
    expect(host.loops.map((l) => l.pids)).toEqual([[], [101]]);
    expect(first.ended).toBe(true);
    const second = host.loops[1]!;
    // A late line of the old loop no longer counts.
    first.print(procLine({ uptime: 10.2, cpu: [900, 0, 0, 100, 0] }));
    second.print(
      procLine({ uptime: 11, cpu: [50, 0, 0, 150, 0], procs: [{ pid: 101, utime: 10, stime: 0 }] }),
    );
    second.print(
      procLine({ uptime: 12, cpu: [120, 0, 0, 180, 0], procs: [{ pid: 101, utime: 60, stime: 10 }] }),
    );
    // Host: first reading of the new loop against the last of the old one (1 s, 50 busy ticks), then 70.
    expect(s.cpu.values()).toEqual([50, 70]);
    const p = s.processes.get(101)!;
    expect(p.cpu.name).toBe('proc.101.cpu');
    expect(p.cpu.meta).toMatchObject({ pid: 101, process: 'bgp_stress_test#1@ts1', server: 'ts1' });
    // A process counts from its second reading: 60 ticks over 1 s.
    expect(p.cpu.values()).toEqual([60]);
    await s.stop();
    expect(second.ended).toBe(true);
    // Ended by closing its stdin: no signal round trips.
    expect(second.signalled).toBe(false);
    s.track({ pid: 102, name: 'late' });
    expect(host.loops).toHaveLength(2);
  });

  it('signals a loop that does not end when its stdin closes', async () => {
    vi.useFakeTimers();
    try {
      const host = scriptedProcHost('ts1', { endsOnEof: false });
      const s = await HostSampler.start(host, {});
      const stopped = s.stop();
      await vi.advanceTimersByTimeAsync(3000);
      await stopped;
      expect(host.loops[0]!.signalled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('names its host when its loop ends by itself', async () => {
    const host = scriptedProcHost('a2s41');
    const s = await HostSampler.start(host, {});
    host.loops[0]!.exit();
    await vi.waitFor(() => expect(s.error).toBe('sampler on a2s41: the sampling loop ended by itself'));
    await s.stop();
  });
});

describe('TestServerSampler (scripted /proc)', () => {
  it('samples each lab host once, however many scenario servers share it, and tracks a process on its host', async () => {
    const [a, b] = [scriptedProcHost('a'), scriptedProcHost('b')];
    const names: string[] = [];
    const ts = await TestServerSampler.start({
      servers: [
        { name: '10.0.0.1', host: a },
        { name: '10.0.0.2', host: a },
        { name: 'b', host: b },
      ],
      intervalMs: 250,
      makeSeries: (name, unit, meta) => {
        names.push(name);
        return new Series(name, unit, { meta });
      },
    });
    expect(ts.hosts.map((h) => [h.name, h.servers])).toEqual([
      ['a', ['10.0.0.1', '10.0.0.2']],
      ['b', ['b']],
    ]);
    ts.track({ server: '10.0.0.2', pid: 55, name: 'bgp_stress_test#2@10.0.0.2' });
    await ts.hosts[0]!.sampler.settled();
    expect(a.loops.map((l) => l.pids)).toEqual([[], [55]]);
    expect(b.loops.map((l) => l.pids)).toEqual([[]]);
    expect(names).toEqual([
      'test_server.a.cpu',
      'test_server.a.mem_used',
      'test_server.b.cpu',
      'test_server.b.mem_used',
      'test_server.a.proc.55.cpu',
    ]);
    expect(() => ts.track({ server: 'nowhere', pid: 56, name: 'x' })).toThrow(
      'test-server sampling: x (pid 56) runs on server nowhere, expected one of 10.0.0.1, 10.0.0.2, b',
    );
    await ts.stop();
    expect([...a.loops, ...b.loops].every((l) => l.ended)).toBe(true);
  });
});

describe('HostSampler on this machine', () => {
  it('sees a busy process it tracks after the start near what /proc says, and the host at least as busy', async () => {
    const busy = spawn(
      process.execPath,
      ['-e', "console.log('ready'); const end = Date.now() + 20000; while (Date.now() < end) {}"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(busy);
    let out = '';
    busy.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await vi.waitFor(() => expect(out).toContain('ready'), PROCESS_WAIT);
    const s = await HostSampler.start(minimalLocalHost(), { intervalMs: 200 });
    try {
      s.track({ pid: busy.pid!, name: 'busy' });
      await s.settled();
      const cpuSeconds = () => {
        const stat = readFileSync(`/proc/${busy.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [
          (Number(f[11]) + Number(f[12])) / 100,
          Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]),
        ];
      };
      const [c0, u0] = cpuSeconds();
      const proc = s.processes.get(busy.pid!)!.cpu;
      await vi.waitFor(() => expect(proc.points.length).toBeGreaterThanOrEqual(4), PROCESS_WAIT);
      const [c1, u1] = cpuSeconds();
      const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      // A shared 2-core machine gives the loop less than a core: agree with /proc over the same window.
      const independent = ((c1! - c0!) / (u1! - u0!)) * 100;
      expect(independent).toBeGreaterThan(5);
      expect(Math.abs(mean(proc.values()) - independent)).toBeLessThan(25);
      // The host's total includes the busy process (one tick per core of slack per interval).
      const hostAtSameTimes = s.cpu.points.filter((p) => proc.points.some((q) => q.t === p.t));
      expect(mean(hostAtSameTimes.map((p) => p.v))).toBeGreaterThan(mean(proc.values()) - 10);
      expect(s.memUsed.last()!.v).toBeGreaterThan(0);
      expect(s.error).toBeUndefined();
    } finally {
      await s.stop();
      busy.kill('SIGKILL');
    }
  });
});
