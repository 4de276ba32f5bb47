/**
 * The same cases against LocalHost and SshHost (real sshd on loopback): both
 * hosts must behave alike for everything a scenario does.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { startHostUnderTest, type HostUnderTest } from '../support/host-under-test.ts';
import { isRunning, runningInGroup, runningWithEnv } from '../support/proc.ts';

/** Bound for waiting on another process (exits, output, pid files): a loaded machine can be slow. */
const PROCESS_WAIT = { timeout: 5000, interval: 50 };

describe.each(['local', 'ssh'] as const)('Host contract: %s', (kind) => {
  let t: HostUnderTest;
  let dir: string;
  beforeAll(async () => {
    t = await startHostUnderTest(kind);
    dir = await mkdtemp(join(tmpdir(), `netscale-${kind}-`));
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('exec returns exit code, stdout and stderr, with the run tag in the environment', async () => {
    const r = await t.host.exec(`echo out; echo err >&2; echo "tag=$${RUN_TAG_ENV}"; exit 3`);
    expect(r.code).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(`out\ntag=${t.runTag}\n`);
    expect(r.stderr).toBe('err\n');
    expect(r.timedOut).toBe(false);
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('exec passes env, cwd and stdin input', async () => {
    const r = await t.host.exec('echo "$GREETING $(pwd)"; cat', {
      env: { GREETING: 'hi there' },
      cwd: dir,
      input: 'from stdin',
    });
    expect(r.stdout).toBe(`hi there ${dir}\nfrom stdin`);
  });

  it('exec timeout kills the whole process group', async () => {
    const pidFile = join(dir, 'timeout-grandchild.pid');
    // 1.5 s leaves time to write the pid file on a loaded machine before the timeout hits.
    const r = await t.host.exec(`sleep 30 & echo $! > ${pidFile}; sleep 30`, { timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(r.durationMs).toBeGreaterThanOrEqual(1500);
    expect(r.durationMs).toBeLessThan(6000);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isRunning(grandchild), PROCESS_WAIT).toBe(false);
  });

  it('exec abort rejects and kills the command', async () => {
    const pidFile = join(dir, 'abort.pid');
    const ac = new AbortController();
    const running = t.host.exec(`echo $$ > ${pidFile}; sleep 30`, { signal: ac.signal });
    const pid = await vi.waitFor(() => {
      const written = Number(readFileSync(pidFile, 'utf8'));
      if (!(written > 0)) throw new Error(`${pidFile}: no pid yet`);
      return written;
    }, PROCESS_WAIT);
    ac.abort(new Error('test is done'));
    await expect(running).rejects.toThrow(/aborted/);
    await expect.poll(() => isRunning(pid), PROCESS_WAIT).toBe(false);
  });

  it('spawn streams live output, takes stdin, and reports the exit', async () => {
    const p = await t.host.spawn(
      'echo ready; read line; echo "got $line"; cat >/dev/null; echo eof; exit 7',
      {
        name: 'echoer',
        stdin: 'pipe',
      },
    );
    expect(p.pid).toBe(p.pgid);
    expect(p.runTag).toBe(t.runTag);
    const lines: string[] = [];
    p.onLine((l) => lines.push(l));
    await expect.poll(() => p.output(), PROCESS_WAIT).toContain('ready\n');
    await p.write('hello\n');
    await expect.poll(() => lines, PROCESS_WAIT).toContain('got hello');
    expect(p.exited).toBe(false);
    // Closing stdin is what bgp_stress_test --pause waits for.
    await p.closeStdin();
    expect(await p.wait()).toEqual({ code: 7, signal: null });
    expect(p.exited).toBe(true);
    expect(p.output()).toBe('ready\ngot hello\neof\n');
  });

  it('stop kills the whole process group: child and grandchild are gone', async () => {
    const p = await t.host.spawn('trap "" TERM; sh -c "trap \\"\\" TERM; sleep 60" & sleep 60', {
      name: 'stubborn',
    });
    await expect.poll(() => runningInGroup(p.pgid).length, PROCESS_WAIT).toBeGreaterThanOrEqual(3);
    const members = runningInGroup(p.pgid);
    const t0 = performance.now();
    const status = await p.stop({ graceMs: 500 });
    // They ignore TERM, so KILL after the grace ended them: the grace itself is what is measured.
    expect(status.signal).toBe('SIGKILL');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
    expect(members.filter(isRunning)).toEqual([]);
    expect(runningInGroup(p.pgid)).toEqual([]);
    // stop is idempotent.
    expect(await p.stop()).toEqual(status);
  });

  it('stop sends TERM first and returns as soon as the group is gone', async () => {
    const p = await t.host.spawn('sleep 60', { name: 'polite' });
    const t0 = performance.now();
    const status = await p.stop({ graceMs: 30_000 });
    expect(status.signal).toBe('SIGTERM');
    // Well under the 30 s grace: stop did not sit out the grace after the group was gone (over SSH on a
    // busy machine the TERM and the check that the group is gone take a few seconds).
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(runningInGroup(p.pgid)).toEqual([]);
  });

  it('runs 20 commands at once on one host (sshd MaxSessions=10)', async () => {
    // Each command lives 0.3 s so that all 20 overlap: the overlap is what is tested.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.host.exec(`sleep 0.3; echo ${i}`, { timeoutMs: 30_000 })),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(results.every((r) => r.code === 0)).toBe(true);
  });

  it('uploads, downloads, writes and reads files', async () => {
    const src = join(dir, 'src.bin');
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    await writeFile(src, payload);
    await t.host.put(src, join(dir, 'remote.bin'));
    await t.host.get(join(dir, 'remote.bin'), join(dir, 'back.bin'));
    expect((await readFile(join(dir, 'back.bin'))).equals(payload)).toBe(true);
    await t.host.writeFile(join(dir, 'cfg.lua'), 'return { rate = 10 }\n');
    expect((await t.host.readFile(join(dir, 'cfg.lua'))).toString()).toBe('return { rate = 10 }\n');
    await expect(t.host.readFile(join(dir, 'missing'))).rejects.toThrow();
  });

  it('tags spawned processes so they can be found in /proc', async () => {
    const p = await t.host.spawn('sleep 60', { name: 'tagged' });
    expect(runningWithEnv(RUN_TAG_ENV, t.runTag)).toContain(p.pid);
    await p.stop({ graceMs: 1000 });
    expect(isRunning(p.pid)).toBe(false);
  });
});
