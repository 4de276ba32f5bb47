/**
 * Ctrl-C during a run: the run's SIGINT handler reaps its processes on every
 * host before the process exits, so nothing is left the moment it is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../support/sshd.ts';
import { labDir, type LabDir } from '../support/lab-files.ts';
import { startNodeScript } from '../support/node-script.ts';
import { runningInGroup, runningWithEnv } from '../support/proc.ts';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';

describe('SIGINT during a run', () => {
  let sshd: Sshd;
  let d: LabDir;
  beforeAll(async () => {
    sshd = await startSshd();
    d = await labDir();
  });
  afterAll(async () => {
    await sshd?.stop();
    await d?.remove();
  });

  it('leaves no process of the run on any host', async () => {
    const file = await d.write('lab.yaml', {
      name: 'interrupt-test',
      hosts: {
        here: { transport: 'local', address: 'local' },
        remote: {
          address: sshd.host,
          port: sshd.port,
          user: sshd.user,
          auth: { keyFile: sshd.keyFile },
          knownHostsFile: sshd.knownHostsFile,
        },
      },
      controlNodes: [{ host: 'here', introspect: 'http://127.0.0.1:1' }],
      testServers: [{ host: 'remote' }],
    });
    const run = startNodeScript('test/support/interrupted-run.ts', { LAB: file, NETSCALE_LOG_LEVEL: 'warn' });
    const { runId, pgids } = await run.firstJson<{ runId: string; pgids: number[] }>();
    expect(pgids).toHaveLength(4);
    // Each group's shell has started its child, which may still be exec'ing when the pgids are reported.
    for (const pgid of pgids)
      await expect.poll(() => runningInGroup(pgid).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);

    run.child.kill('SIGINT');
    const exit = await run.exited();
    // Checked at once: the guards' own fallback (parent gone) would take seconds for TERM-ignoring groups.
    const left = runningWithEnv(RUN_TAG_ENV, runId);
    expect(exit).toEqual({ code: 130, signal: null });
    expect(left).toEqual([]);
    expect(pgids.flatMap(runningInGroup)).toEqual([]);
    expect(run.output()).toContain("SIGINT: stopping this run's processes before exit");
  });
});
