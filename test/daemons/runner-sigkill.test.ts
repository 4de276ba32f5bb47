/**
 * A daemon suite killed outright: `vitest run suites/bgp-daemons/...` is SIGKILLed (its whole process
 * group, runner and workers, no handler runs) while BIRD, the generator and the monitor are up in the
 * run's namespaces. Nothing of the run may stay: the guards end its processes, the keeper deletes its
 * namespaces.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { namespacesUsable } from '../../lib/daemons/netns-topology.ts';
import { parseNetnsList } from '../../lib/hosts/netns-keeper.ts';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { runningWithEnv } from '../support/proc.ts';
import { startSpec } from '../suites/support/run-spec.ts';

const netns = await namespacesUsable();
const reports = mkdtempSync(join(tmpdir(), 'netscale-daemon-kill-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

const daemonNamespaces = () =>
  parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).filter((n) =>
    n.startsWith('nsc-'),
  );

// Namespaces need root: as another user the daemons run on loopback and only the guards are at stake.
describe.skipIf(!netns)('SIGKILL of a daemon suite run', () => {
  it('leaves no namespace, daemon, generator or monitor behind', { timeout: 120_000 }, async () => {
    const before = new Set(daemonNamespaces());
    const runId = `daemon-kill-${process.pid}`;
    const run = startSpec({
      project: 'bgp-daemons',
      spec: 'suites/bgp-daemons/route-scale.spec.ts',
      timeoutMs: 110_000,
      env: {
        NETSCALE_DUT: 'bird',
        NETSCALE_RUN_ID: runId,
        NETSCALE_REPORTS_DIR: reports,
        NETSCALE_ITERATIONS: '1x4x100',
        // A long hold: the kill comes while everything is up, however fast the machine.
        NETSCALE_SCENARIO_OVERRIDES: JSON.stringify({ operation: { kind: 'add_and_hold', holdSeconds: 60 } }),
      },
    });
    // Mid-run: the run's namespaces exist and its generator runs (BIRD and the monitor started before it).
    let made: string[] = [];
    await vi.waitFor(
      () => {
        made = daemonNamespaces().filter((n) => !before.has(n));
        expect(made, run.output().slice(-1500)).toHaveLength(2);
        expect(runningWithEnv(RUN_TAG_ENV, runId).some((pid) => commandOf(pid).includes('bgp-load'))).toBe(
          true,
        );
      },
      { timeout: 90_000, interval: 100 },
    );
    expect(runningWithEnv(RUN_TAG_ENV, runId).length).toBeGreaterThanOrEqual(4);
    process.kill(-run.pgid, 'SIGKILL');
    await run.done;
    await vi.waitFor(
      () => {
        expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]);
        expect(daemonNamespaces().filter((n) => made.includes(n))).toEqual([]);
      },
      { timeout: 20_000, interval: 200 },
    );
  });
});
