import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { readProcessAndHost } from '../../lib/measure/process-reading.ts';

const children: ChildProcess[] = [];
const host = new LocalHost({ runTag: `process-reading-test-${process.pid}` });
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await host.close();
});

const kb = (file: string, key: string) =>
  Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync(file, 'utf8'))![1]) * 1024;

describe('readProcessAndHost', () => {
  it('reads a busy process and its host over one window, agreeing with /proc', async () => {
    const busy = spawn(
      process.execPath,
      ['-e', "console.log('ready'); const end = Date.now() + 20000; while (Date.now() < end) {}"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(busy);
    let out = '';
    busy.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await vi.waitFor(() => expect(out).toContain('ready'), { timeout: 15_000, interval: 20 });
    const cpuSeconds = (): [number, number] => {
      const stat = readFileSync(`/proc/${busy.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [
        (Number(f[11]) + Number(f[12])) / 100,
        Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]),
      ];
    };
    const [c0, u0] = cpuSeconds();
    const r = await readProcessAndHost(host, busy.pid!, { windowMs: 300 });
    const [c1, u1] = cpuSeconds();
    busy.kill('SIGKILL');
    // The loop runs steadily, so its share over the whole call is its share over the window inside it.
    expect(Math.abs(r.process.cpu - ((c1 - c0) / (u1 - u0)) * 100)).toBeLessThan(30);
    expect(r.windowMs).toBe(300);
    // A busy loop on a shared 2-core machine: clearly busy, at most one core (+ one tick of 10 ms over 300 ms).
    expect(r.process.cpu).toBeGreaterThan(10);
    expect(r.process.cpu).toBeLessThanOrEqual(100 + r.cpuResolution);
    expect(r.cpuResolution).toBeCloseTo((10 / 300) * 100);
    // The host's busy time includes the process's (a tick per core of slack).
    expect(r.host.cpu).toBeGreaterThan(r.process.cpu - 2 * r.cpuResolution);
    expect(r.process.rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(r.host.memTotal).toBe(kb('/proc/meminfo', 'MemTotal'));
    expect(r.host.memUsed).toBeGreaterThan(0);
    expect(r.host.memUsed).toBeLessThan(r.host.memTotal!);
    expect(r.host.name).toBe(host.name);
  });

  it('looks the pid up with a command in the same exec, and says when the command gave none', async () => {
    const r = await readProcessAndHost(
      host,
      { pidCommand: `echo ${process.pid}; echo 1` },
      { windowMs: 100 },
    );
    expect(r.process.pid).toBe(process.pid);
    // This process's memory moves as the test runs: the same order as VmRSS read just after.
    expect(Math.abs(r.process.rss / kb(`/proc/${process.pid}/status`, 'VmRSS') - 1)).toBeLessThan(0.2);
    await expect(readProcessAndHost(host, { pidCommand: 'echo nope' }, { windowMs: 100 })).rejects.toThrow(
      `${host.name}: expected a pid from 'echo nope', found none`,
    );
  });

  it('fails naming the host and the pid when the process is not running', async () => {
    const gone = 2 ** 22 + 3;
    await expect(readProcessAndHost(host, gone, { windowMs: 100 })).rejects.toThrow(
      `${host.name}: pid ${gone} is not running (expected two /proc readings 100 ms apart, got 0)`,
    );
  });
});
