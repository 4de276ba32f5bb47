import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import { ProcessSampler } from '../../lib/measure/process-sampler.ts';
import { minimalLocalHost } from './minimal-host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';

/** Bound for waiting on other processes (start-up, samples, exits): a loaded 2-core machine is slow. */
const PROCESS_WAIT = { timeout: 15_000, interval: 20 };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/**
 * A child whose CPU we control: a busy loop, or one that sleeps. Resolves once it printed "ready", so
 * node's own start-up is over before anything is measured. It ends by itself after 20 s should the test
 * not get to kill it.
 */
async function child(kind: 'busy' | 'sleep'): Promise<ChildProcess> {
  const code =
    kind === 'busy'
      ? "console.log('ready'); const end = Date.now() + 20000; while (Date.now() < end) {}"
      : "console.log('ready'); setTimeout(() => {}, 20000);";
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(c);
  let out = '';
  c.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await vi.waitFor(() => {
    if (!out.includes('ready')) throw new Error(`${kind} child (pid ${c.pid}) has not printed "ready"`);
  }, PROCESS_WAIT);
  return c;
}

/** Independent reading: CPU seconds of a pid (utime + stime, CLK_TCK 100) and uptime, straight from /proc. */
function cpuSecondsAndUptime(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return [(Number(f[11]) + Number(f[12])) / 100, uptime];
}

/** The sampler's CPU values once it has at least n of them. */
async function cpuValues(s: ProcessSampler, n: number): Promise<number[]> {
  await vi.waitFor(() => expect(s.cpu.points.length).toBeGreaterThanOrEqual(n), PROCESS_WAIT);
  return s.cpu.values();
}

describe('ProcessSampler', () => {
  it('sees a busy loop near one core and a sleeper near zero, from one streaming command', async () => {
    const host = minimalLocalHost();
    const [busy, idle] = await Promise.all([child('busy'), child('sleep')]);
    const t0 = monotonicMs();
    const [b, s] = await Promise.all([
      ProcessSampler.start(host, { pid: busy.pid!, intervalMs: 200 }),
      ProcessSampler.start(host, { pid: idle.pid!, intervalMs: 200 }),
    ]);
    try {
      const [cpu0, up0] = cpuSecondsAndUptime(busy.pid!);
      const busyCpu = await cpuValues(b, 6);
      const [cpu1, up1] = cpuSecondsAndUptime(busy.pid!);
      const idleCpu = await cpuValues(s, 5);
      expect(b.error).toBeUndefined();
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
      // Points are stamped on arrival, on the monotonic clock. The loop sleeps one interval between
      // samples, so sample i cannot arrive earlier than i intervals after the start (it may arrive later on
      // a loaded machine, hence a lower bound only), and stamps never go backwards.
      const arrivals = b.rss.points.map((p) => p.t - t0);
      arrivals.forEach((t, i) => expect(t, `sample ${i}`).toBeGreaterThanOrEqual(i * 200));
      expect(arrivals).toEqual([...arrivals].sort((x, y) => x - y));
    } finally {
      await Promise.all([b.stop(), s.stop()]);
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });

  it('ends by itself when the sampled process exits', async () => {
    // Living 300 ms and then exiting is the behaviour under test.
    const short = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
    children.push(short);
    const s = await ProcessSampler.start(minimalLocalHost(), { pid: short.pid!, intervalMs: 100 });
    await vi.waitFor(() => s.ended, PROCESS_WAIT);
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
    const busy = await child('busy');
    const s = await ProcessSampler.start(host, { pid: busy.pid!, intervalMs: 100 });
    try {
      const [cpu0, up0] = cpuSecondsAndUptime(busy.pid!);
      const cpu = await cpuValues(s, 4);
      const [cpu1, up1] = cpuSecondsAndUptime(busy.pid!);
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
    await vi.waitFor(() => s.ended, PROCESS_WAIT);
    expect(s.targetGone).toBe(false);
    // The loop's process group must be gone (a wait: the guard reaps it asynchronously).
    const groupAlive = () => {
      try {
        process.kill(-s.loopPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(groupAlive, PROCESS_WAIT).toBe(false);
  });
});
