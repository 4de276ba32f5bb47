import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { forceUnlock, LabBusyError, LabLock, readLockOwner } from '../../lib/lab/lab-lock.ts';

let stateDir: string;
const host = new LocalHost({ name: 'cn', runTag: 'lab-lock-test' });
const opts = (runId: string) => ({ stateDir, lab: 'lab-a', runId });

/** A lock left by another run: its owner record and one holder line, heartbeat `ageS` seconds old. */
function leftLock(runId: string, holder: string, ageS: number): void {
  mkdirSync(join(stateDir, 'lock', 'holders'), { recursive: true });
  writeFileSync(
    join(stateDir, 'lock', 'owner.json'),
    JSON.stringify({
      lab: 'lab-a',
      runId,
      user: 'eve',
      host: 'elsewhere',
      pid: 1,
      startedAt: '2026-12-01T00:00:00.000Z',
    }),
  );
  const f = join(stateDir, 'lock', 'holders', 'h1');
  writeFileSync(f, `${holder}\n`);
  execFileSync('touch', ['-d', `${ageS} seconds ago`, f]);
}

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'netscale-lock-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

describe('LabLock', () => {
  it('lets one run in and stops a second one, naming the run that holds the lab', async () => {
    const first = await LabLock.acquire(host, opts('run-1'));
    expect(first.how).toBe('acquired');
    const err = await LabLock.acquire(host, opts('run-2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabBusyError);
    expect((err as Error).message).toMatch(
      /^lab lab-a is in use by run run-1 \(\S+@\S+, started \d{4}-\d\d-\d\dT[\d:.]+Z\)$/,
    );
    await first.release();
    const next = await LabLock.acquire(host, opts('run-2'));
    expect(next.how).toBe('acquired');
    await next.release();
    expect(await readLockOwner(host, stateDir)).toBeUndefined();
  });

  it('is shared by the processes of one run and freed by the last of them', async () => {
    const a = await LabLock.acquire(host, opts('run-1'));
    const b = await LabLock.acquire(host, opts('run-1'));
    expect(b.how).toBe('joined');
    await a.release();
    await expect(LabLock.acquire(host, opts('run-2'))).rejects.toThrow(/in use by run run-1/);
    await b.release();
    await (await LabLock.acquire(host, opts('run-2'))).release();
  });

  it('takes over a lock whose heartbeat expired, keeping the gone owner for the warning', async () => {
    leftLock('run-old', '4242 1 some-other-host', 120);
    const lock = await LabLock.acquire(host, { ...opts('run-new'), staleAfterS: 60 });
    expect(lock.how).toBe('took-over');
    expect(lock.previous?.runId).toBe('run-old');
    expect((await readLockOwner(host, stateDir))?.runId).toBe('run-new');
    await lock.release();
  });

  it('keeps a remote holder whose heartbeat is fresh', async () => {
    leftLock('run-remote', '4242 1 some-other-host', 5);
    await expect(LabLock.acquire(host, { ...opts('run-new'), staleAfterS: 60 })).rejects.toThrow(
      'lab lab-a is in use by run run-remote (eve@elsewhere, started 2026-12-01T00:00:00.000Z)',
    );
  });

  it('takes over at once from a holder on this host whose process is gone, heartbeat fresh or not', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    leftLock('run-killed', `${gone.stdout.toString()} 1 ${hostname()}`, 0);
    const lock = await LabLock.acquire(host, opts('run-new'));
    expect(lock.how).toBe('took-over');
    expect(lock.previous?.runId).toBe('run-killed');
    await lock.release();
  });

  it('tells a live pid reused by another process from the holder (start time differs)', async () => {
    leftLock('run-reused', `${process.pid} 1 ${hostname()}`, 0);
    const lock = await LabLock.acquire(host, opts('run-new'));
    expect(lock.how).toBe('took-over');
    await lock.release();
  });

  it('unlock --force removes the lock, and the holder learns at its next heartbeat', async () => {
    const onLost = vi.fn();
    const lock = await LabLock.acquire(host, { ...opts('run-1'), heartbeatS: 0.05, onLost });
    expect((await forceUnlock(host, stateDir))?.runId).toBe('run-1');
    await vi.waitFor(() =>
      expect(onLost).toHaveBeenCalledWith(expect.stringMatching(/no longer holds the lock/)),
    );
    await lock.release();
  });
});
