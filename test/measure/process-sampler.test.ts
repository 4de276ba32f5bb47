import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../lib/clock.ts';
import { ProcessSampler } from '../../lib/measure/process-sampler.ts';
import { minimalLocalHost } from './minimal-host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A child whose CPU we control: a bounded busy loop, or a bounded sleep. */
function child(kind: 'busy' | 'sleep'): ChildProcess {
  const code =
    kind === 'busy'
      ? 'const end = Date.now() + 8000; while (Date.now() < end) {}'
      : 'setTimeout(() => {}, 8000);';
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** Independent reading: CPU seconds of a pid (utime + stime, CLK_TCK 100) and uptime, straight from /proc. */
function cpuSecondsAndUptime(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return [(Number(f[11]) + Number(f[12])) / 100, uptime];
}

async function samples(s: ProcessSampler, n: number): Promise<number[]> {
  for (let i = 0; i < 60 && s.cpu.points.length < n; i++) await sleep(50);
  return s.cpu.values();
}

describe('ProcessSampler', () => {
  it('sees a busy loop near one core and a sleeper near zero, from one streaming command', async () => {
    const host = minimalLocalHost();
    const busy = child('busy');
    const idle = child('sleep');
    await sleep(200); // let node start up before measuring the sleeper
    const [b, s] = await Promise.all([
      ProcessSampler.start(host, { pid: busy.pid!, intervalMs: 200 }),
      ProcessSampler.start(host, { pid: idle.pid!, intervalMs: 200 }),
    ]);
    try {
      const [cpu0, up0] = cpuSecondsAndUptime(busy.pid!);
      const busyCpu = await samples(b, 6);
      const [cpu1, up1] = cpuSecondsAndUptime(busy.pid!);
      const idleCpu = await samples(s, 5);
      expect(b.error).toBeUndefined();
      expect(busyCpu.length).toBeGreaterThanOrEqual(6);
      const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
      // The machine is shared (2 cores, several busy users), so a busy loop gets less than a full core:
      // compare with what /proc says over the same window instead of assuming 100.
      const independent = ((cpu1 - cpu0) / (up1 - up0)) * 100;
      expect(mean(busyCpu)).toBeGreaterThan(20);
      expect(Math.abs(mean(busyCpu) - independent)).toBeLessThan(20);
      expect(mean(busyCpu)).toBeGreaterThan(10 * Math.max(mean(idleCpu), 0.5));
      expect(Math.max(...busyCpu)).toBeLessThan(100 + 3 * b.resolution.cpuPercent);
      expect(mean(idleCpu)).toBeLessThan(5);
      expect(b.rss.last()!.v).toBeGreaterThan(10 * 1024 * 1024);
      expect(b.vsz.last()!.v).toBeGreaterThan(b.rss.last()!.v);
      expect(b.hostCpu.last()!.v).toBeGreaterThan(0);
      expect(b.resolution).toMatchObject({ intervalMs: 200, cpuTickMs: 10, cpuPercent: 5 });
      // Points are stamped on the monotonic clock roughly one interval apart.
      const ts = b.cpu.points.map((p) => p.t);
      expect(ts[ts.length - 1]! - ts[0]!).toBeGreaterThan(150 * (ts.length - 1));
    } finally {
      await Promise.all([b.stop(), s.stop()]);
    }
  });

  it('ends by itself when the sampled process exits', async () => {
    const short = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
    children.push(short);
    const s = await ProcessSampler.start(minimalLocalHost(), { pid: short.pid!, intervalMs: 100 });
    await Promise.race([s.ended, sleep(3000)]);
    expect(s.targetGone).toBe(true);
    await s.stop();
  });

  it('rejects a bad pid naming the host', async () => {
    await expect(ProcessSampler.start(minimalLocalHost(), { pid: 0 })).rejects.toThrow(
      'process sampler on minimal-local: expected a pid > 0, found 0',
    );
  });
});

describe('ProcessSampler over LocalHost', () => {
  it('samples through the project Host implementation and leaves no sampler running', async () => {
    const host = new LocalHost({ runTag: `sampler-test-${process.pid}` });
    const busy = child('busy');
    const s = await ProcessSampler.start(host, { pid: busy.pid!, intervalMs: 100 });
    try {
      const [cpu0, up0] = cpuSecondsAndUptime(busy.pid!);
      const cpu = await samples(s, 4);
      const [cpu1, up1] = cpuSecondsAndUptime(busy.pid!);
      expect(cpu.length).toBeGreaterThanOrEqual(4);
      // A shared machine gives the loop less than a core: agree with /proc over the same window.
      const independent = ((cpu1 - cpu0) / (up1 - up0)) * 100;
      const mean = cpu.reduce((a, x) => a + x, 0) / cpu.length;
      expect(independent).toBeGreaterThan(5);
      expect(Math.abs(mean - independent)).toBeLessThan(25);
    } finally {
      await s.stop();
      busy.kill('SIGKILL');
      await host.close();
    }
    await Promise.race([s.ended, sleep(2000)]);
    expect(s.targetGone).toBe(false);
    // The loop's process group must be gone (bounded wait: the guard reaps it asynchronously).
    const groupAlive = () => {
      try {
        process.kill(-s.loopPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && groupAlive(); i++) await sleep(50);
    expect(groupAlive()).toBe(false);
  });
});
