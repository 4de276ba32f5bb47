/**
 * The guard ends its command when the launching parent has exited, also while that parent is a zombie:
 * a parent whose own parent never reaps it keeps its /proc entry, and a guard that only looked for that
 * entry would keep the command alive as long as the grandparent runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_NAME, GUARD_SCRIPT } from '../../lib/hosts/guard.ts';

/** The guard looks at its parent once a second, then TERMs; the rest is margin for a loaded machine. */
const POLL = { timeout: 10_000, interval: 50 };

// The parent starts the guard (whose stderr, the pgid marker, goes to $MARK) in a session of its own, as
// LocalHost does (the guard signals its own group when it ends), waits until the guard has reported, and
// exits. The grandparent backgrounds the parent, prints its pid and becomes `sleep`, which
// never reaps: the parent stays a zombie until the grandparent ends.
const PARENT = [
  `setsid /bin/sh -c "$GUARD" ${GUARD_NAME} 'exec sleep 600' </dev/null >/dev/null 2>"$MARK" &`,
  'while [ ! -s "$MARK" ]; do sleep 0.05; done',
].join('\n');
const GRANDPARENT = '/bin/sh -c "$PARENT" & echo $!; exec sleep 60';

function processState(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[0] ?? '',
    () => 'gone',
  );
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('guard', () => {
  let grandparent: ChildProcess | undefined;
  let dir: string | undefined;
  let pgid: number | undefined;
  afterEach(async () => {
    if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    if (grandparent?.pid !== undefined && groupAlive(grandparent.pid))
      process.kill(-grandparent.pid, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ends the command when its parent exited but is not reaped (a zombie)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'guard-test-'));
    const mark = join(dir, 'marker');
    grandparent = spawn('/bin/sh', ['-c', GRANDPARENT], {
      env: { ...process.env, GUARD: GUARD_SCRIPT, PARENT, MARK: mark },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let out = '';
    grandparent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => /^\d+\n/.test(out), POLL).toBe(true);
    const parentPid = Number(out.trim());

    await expect.poll(async () => /NETSCALE_PGID=(\d+)/.test(await readFile(mark, 'utf8')), POLL).toBe(true);
    pgid = Number(/NETSCALE_PGID=(\d+)/.exec(await readFile(mark, 'utf8'))![1]);
    // The case under test: the parent has exited and is a zombie, its /proc entry still there.
    await expect.poll(() => processState(parentPid), POLL).toBe('Z');
    await expect.poll(() => groupAlive(pgid!), POLL).toBe(false);
    expect(await processState(parentPid)).toBe('Z');
  });
});
