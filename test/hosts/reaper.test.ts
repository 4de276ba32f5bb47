/**
 * The reaper against a client that died without cleanup: a separate node
 * process starts tagged processes through a host and is SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTaggedProcesses, reap, selectForReaping } from '../../lib/hosts/reaper.ts';
import { sshHostOptions, startSshd, type Sshd } from '../support/sshd.ts';
import { newRunTag, startHostUnderTest, type HostUnderTest } from '../support/host-under-test.ts';
import { startNodeScript } from '../support/node-script.ts';
import { isRunning, runningInGroup } from '../support/proc.ts';

/** Bound for waiting until a killed process is gone: exits are asynchronous, and slow on a loaded machine. */
const EXIT_WAIT = { timeout: 5000, interval: 50 };

describe.each(['local', 'ssh'] as const)('reaper on %s host', (kind) => {
  let t: HostUnderTest;
  let sshd: Sshd | undefined;
  beforeAll(async () => {
    t = await startHostUnderTest(kind);
    if (kind === 'ssh') sshd = await startSshd();
  });
  afterAll(async () => {
    await t?.stop();
    await sshd?.stop();
  });

  function clientHostSpec(): string {
    if (kind === 'local') return 'local';
    return JSON.stringify(sshHostOptions(sshd!));
  }

  it('kills the tagged leftovers of a SIGKILLed client, and nothing else', async () => {
    const deadRun = newRunTag('dead');
    const client = startNodeScript('test/support/tagged-client.ts', {
      CLIENT_HOST: clientHostSpec(),
      CLIENT_RUN_TAG: deadRun,
    });
    const { leader, daemon } = await client.firstJson<{ leader: number; daemon: number }>();
    expect(isRunning(leader) && isRunning(daemon)).toBe(true);

    // A live run of another session, and an untagged process: neither may be touched by reap().
    const liveRun = newRunTag('live');
    const live = await t.open(liveRun).spawn('sleep 60', { name: 'live' });
    const untagged = startNodeScript('test/support/untagged-sleeper.ts');
    const { pid: untaggedPid } = await untagged.firstJson<{ pid: number }>();

    client.child.kill('SIGKILL');
    await client.exited();
    // The guard notices its launcher is gone and ends the group; the daemon escaped the group.
    await expect.poll(() => runningInGroup(leader), { ...EXIT_WAIT, timeout: 8000 }).toEqual([]);
    expect(isRunning(daemon)).toBe(true);

    const listed = await listTaggedProcesses(t.host);
    expect(listed.find((p) => p.pid === daemon)).toMatchObject({ runTag: deadRun, launcherAlive: false });
    const selected = selectForReaping(listed, { currentRunTag: t.runTag });
    expect(selected.map((p) => p.pid)).toContain(daemon);
    expect(selected.map((p) => p.runTag)).not.toContain(liveRun);

    // reap() without runTag: leftovers of earlier runs only.
    const result = await reap(t.host, { graceMs: 1000 });
    // A lab that another test file opens meanwhile reaps leftovers of earlier runs on this machine too,
    // with this same function: when the daemon went that way before this call listed it, it is gone already.
    if (!result.killed.some((p) => p.pid === daemon)) expect(isRunning(daemon)).toBe(false);
    expect(result.killed.every((p) => p.runTag !== t.runTag && p.runTag !== liveRun)).toBe(true);
    await expect.poll(() => isRunning(daemon), EXIT_WAIT).toBe(false);
    expect(isRunning(live.pid)).toBe(true);
    expect(isRunning(untaggedPid)).toBe(true);

    // reap() with a runTag: exactly that run, even while it is alive.
    const own = await reap(t.host, { runTag: liveRun, graceMs: 1000 });
    expect(own.killed.map((p) => p.pid)).toContain(live.pid);
    await expect.poll(() => isRunning(live.pid), EXIT_WAIT).toBe(false);
    expect(isRunning(untaggedPid)).toBe(true);
    untagged.child.kill('SIGTERM');
    await untagged.exited();
  });

  it('with an owner, reaps only what that Host object started, not another worker of the same run', async () => {
    const run = newRunTag('shared');
    const mine = t.open(run);
    const theirs = t.open(run);
    expect(mine.ownerTag).toBeTruthy();
    expect(mine.ownerTag).not.toBe(theirs.ownerTag);
    const a = await mine.spawn('sleep 60', { name: 'mine' });
    const b = await theirs.spawn('sleep 60', { name: 'theirs' });
    const listed = await listTaggedProcesses(t.host);
    expect(listed.find((p) => p.pid === a.pid)).toMatchObject({ runTag: run, owner: mine.ownerTag });

    const result = await reap(mine, { runTag: run, owner: mine.ownerTag, graceMs: 1000 });
    // The guard shell and its helpers carry the same tags; none of the other owner's processes is touched.
    expect(result.killed.map((p) => p.pid)).toContain(a.pid);
    expect(result.killed.every((p) => p.owner === mine.ownerTag)).toBe(true);
    expect(result.killed.map((p) => p.pid)).not.toContain(b.pid);
    await expect.poll(() => isRunning(a.pid), EXIT_WAIT).toBe(false);
    expect(isRunning(b.pid)).toBe(true);
    await b.stop({ graceMs: 500 });
    await Promise.all([mine.close(), theirs.close()]);
  });
});
