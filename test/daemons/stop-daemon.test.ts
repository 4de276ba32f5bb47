/**
 * stopDaemon on a daemon that ended on its own keeps what it printed last (its temp dir, where nothing
 * else would be left, goes with it), then stops and cleans up as usual.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../lib/daemons/daemon-process.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { setLogSink } from '../../lib/log/logger.ts';

const host = new LocalHost({ runTag: `stop-daemon-test-${process.pid}` });

describe('stopDaemon', () => {
  const written: string[] = [];
  let previous: ReturnType<typeof setLogSink>;
  beforeAll(() => {
    previous = setLogSink((line) => written.push(line));
  });
  afterEach(() => {
    written.length = 0;
  });
  afterAll(() => setLogSink(previous));

  it('prints the last output of a daemon that had already ended, with how it ended', async () => {
    const handle = await host.spawn(`echo 'panic: runtime error'; kill -KILL $$`, { name: 'crashing' });
    await handle.wait();
    const dir = mkdtempSync(join(tmpdir(), 'netscale-stop-daemon-'));
    await stopDaemon({ handle, pid: handle.pid }, dir);
    expect(written.join('')).toMatch(
      new RegExp(
        `crashing \\(pid ${handle.pid}\\) had ended before it was stopped \\(SIGKILL\\); its last output:\\n[^]*panic: runtime error`,
      ),
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('says nothing of a daemon it stops itself', async () => {
    const handle = await host.spawn('exec sleep 30', { name: 'sleeper' });
    await stopDaemon({ handle, pid: handle.pid }, undefined);
    expect(handle.exited).toBe(true);
    expect(written.join('')).not.toContain('had ended');
  });
});
