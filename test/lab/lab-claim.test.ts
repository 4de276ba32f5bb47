/**
 * Leaving the lab as found, on the embedded lab with an env file like a real control node's: the file
 * holds the scenario's values during the run and is byte-identical after it (mode and times too), also
 * when the runner was SIGKILLed and `netscale lab restore` (or the next run) cleaned up; and a second
 * run on a lab in use fails at once naming the run that holds it.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openLab } from '../../lib/lab/open-lab.ts';
import { handOffRestore } from '../../lib/lab/restore-handoff.ts';
import { RunArchive } from '../../lib/report/run-archive.ts';
import { ContrailScaleSession } from '../../lib/scale/contrail-scale-session.ts';
import { loadScenarioWithThresholds } from '../../lib/scenario/loaded-scenario.ts';
import { labDir, type LabDir } from '../support/lab-files.ts';
import { startNodeScript } from '../support/node-script.ts';
import { isRunning } from '../support/proc.ts';
import { REPO_ROOT } from '../support/repo-root.ts';
import { runCli } from '../support/run-cli.ts';

const ORIGINAL = new URL('./data/control_param', import.meta.url);
const ENV = { XMPP_KEEPALIVE_SECONDS: '300000', CONCURRENCY_CHECK_DISABLE: '1' };

let d: LabDir;
let labFile: string;
let scenarioFile: string;
let envFile: string;

beforeAll(async () => {
  d = await labDir();
  envFile = join(d.dir, 'control_param');
  const sim = parse(readFileSync(join(REPO_ROOT, 'labs/sim.yaml'), 'utf8')) as {
    name: string;
    stateDir: string;
    controlNodes: Array<Record<string, unknown>>;
    testServers: Array<Record<string, unknown>>;
  };
  sim.name = 'sim-restore';
  // One state dir for every run of this file (not one per emulator): runs see each other's lock.
  sim.stateDir = join(d.dir, 'state');
  sim.controlNodes[0]!.envFile = envFile;
  sim.testServers[0]!.bgpStressPath = join(REPO_ROOT, 'sim/bin/bgp_stress_test');
  labFile = await d.write('lab.yaml', sim);
  scenarioFile = await d.write('scenario.yaml', {
    name: 'env-restore',
    iterations: [{ instances: 1, agents: 1, routes: 1 }],
    controlNode: { env: ENV },
  });
});
afterAll(() => d.remove());
beforeEach(() => copyFileSync(ORIGINAL, envFile));

// Each open is its own run (in one Vitest run they would otherwise share its run id).
let runs = 0;
const runId = () => `claim-${process.pid}-${++runs}`;
const open = () =>
  openLab({
    lab: labFile,
    runId: runId(),
    envFile: '/nonexistent/.env',
    claim: true,
    embedded: { ownControlNode: true },
  });

function expectOriginal(): void {
  expect(readFileSync(envFile)).toEqual(readFileSync(ORIGINAL));
  expect(existsSync(`${envFile}.netscale-backup`)).toBe(false);
}

describe('a run on a claimed lab', () => {
  it('edits the env file key by key during the run and restores it byte for byte after', async () => {
    const before = statSync(envFile);
    const lab = await open();
    try {
      const archive = await RunArchive.open({ runId: lab.runId, root: join(d.dir, 'reports') });
      const session = await ContrailScaleSession.open({
        lab,
        loaded: loadScenarioWithThresholds(scenarioFile),
        archive,
      });
      const during = readFileSync(envFile, 'utf8');
      expect(during).toContain('\nXMPP_KEEPALIVE_SECONDS=300000\n');
      expect(during).toContain('\nCONCURRENCY_CHECK_DISABLE=1\n');
      // Everything else as it was: the original's lines, in order, with the one value changed.
      expect(during.replace('XMPP_KEEPALIVE_SECONDS=300000', 'XMPP_KEEPALIVE_SECONDS=30')).toBe(
        readFileSync(ORIGINAL, 'utf8') + 'CONCURRENCY_CHECK_DISABLE=1\n',
      );
      expect(await session.close()).toEqual([]);
      expectOriginal();
      expect(statSync(envFile).mtimeMs).toBe(before.mtimeMs);
    } finally {
      await lab.close();
    }
  });

  it('stops a second run at once while the lab is in use, and lets the next one in after', async () => {
    const first = await open();
    try {
      await expect(open()).rejects.toThrow(
        new RegExp(
          `^lab sim-restore is in use by run ${first.runId} \\(\\S+@\\S+, started \\d{4}-[\\d-]+T[\\d:.]+Z\\)$`,
        ),
      );
    } finally {
      await first.close();
    }
    const next = await open();
    expect(next.claim?.lock.how).toBe('acquired');
    await next.close();
  });

  it('a restore handed off by an interrupted run waits for it to exit, and ends without taking a lab it left clean', async () => {
    // Stands in for the interrupted run's process: the restore waits for it to exit.
    const runProcess = startNodeScript('test/support/untagged-sleeper.ts');
    const { pid: afterPid } = await runProcess.firstJson<{ pid: number }>();
    const first = await open();
    const handed = handOffRestore({
      labFile,
      envFile: '/nonexistent/.env',
      runId: first.runId,
      waitS: 60,
      afterPid,
    });
    const opens = (file: string) =>
      (existsSync(file) ? readFileSync(file, 'utf8') : '').split(`[lab] lab "sim-restore" from`).length - 1;
    try {
      const session = await ContrailScaleSession.open({
        lab: first,
        loaded: loadScenarioWithThresholds(scenarioFile),
        archive: await RunArchive.open({ runId: first.runId, root: join(d.dir, 'reports') }),
      });
      expect(await session.close()).toEqual([]);
    } finally {
      await first.close();
    }
    // While the run's process lives, the restore has not even opened the lab.
    expect(isRunning(handed.pid)).toBe(true);
    expect(opens(handed.log)).toBe(0);
    runProcess.child.kill('SIGTERM');
    await runProcess.exited();
    await expect.poll(() => isRunning(handed.pid), { timeout: 30_000, interval: 100 }).toBe(false);
    // One look, no claim: the run left the lab free with nothing to revert.
    expect(readFileSync(handed.log, 'utf8')).toMatch(/lab "sim-restore": free, nothing to restore\n$/);
    expect(opens(handed.log)).toBe(1);
    expectOriginal();
    const next = await open();
    expect(next.claim?.lock.how).toBe('acquired');
    await next.close();
    rmSync(handed.log);
  });

  it.each([
    [
      'netscale lab restore',
      async () => {
        const r = await runCli(['lab', 'restore', '--lab', labFile, '--dotenv', '/nonexistent/.env']);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(
          new RegExp(
            `reverted 2 change\\(s\\) left by earlier runs:\\n  env file ${envFile} on local \\(run [^)]+\\)\\n  1 virtual-network\\(s\\) \\(c1_t1_block1_n1\\)`,
          ),
        );
      },
    ],
    [
      'the next run',
      async () => {
        const lab = await open();
        expect(lab.claim?.restored.map((e) => e.change.kind)).toEqual(['env-file', 'config-objects']);
        await lab.close();
      },
    ],
  ])('after the runner is SIGKILLed mid-run, %s restores the env file', async (_, cleanUp) => {
    const run = startNodeScript('test/support/claimed-run.ts', {
      LAB: labFile,
      NETSCALE_RUN_ID: runId(),
      SCENARIO: scenarioFile,
      NETSCALE_REPORTS_DIR: join(d.dir, 'reports'),
    });
    await run.firstJson(60_000);
    expect(readFileSync(envFile, 'utf8')).toContain('XMPP_KEEPALIVE_SECONDS=300000');
    run.child.kill('SIGKILL');
    await run.exited();
    await cleanUp();
    expectOriginal();
  });
});
