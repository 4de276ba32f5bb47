/**
 * Thresholds given by the environment, as a nightly job sets them: any catalogue metric can be limited
 * whether or not its scenario lists it, and a name that is no metric stops the run before the lab is
 * touched, naming the metrics there are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { runningWithEnv } from '../support/proc.ts';
import { runEmbeddedScenario } from './support/embedded-scenario.ts';
import { runSpec } from './support/run-spec.ts';
import { watchTaggedProcesses } from './support/tagged-process-watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'netscale-env-thresholds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thresholds from the environment', { timeout: 90_000 }, () => {
  it('NETSCALE_THRESHOLD_RSS_PEAK fails route scale naming rss_peak, though the scenario does not list it', async () => {
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/route-scale.yaml',
      env: { NETSCALE_ITERATIONS: '1x2x5', NETSCALE_THRESHOLD_RSS_PEAK: '<= 1KB' },
      runId: `env-rss-${process.pid}-${Date.now()}`,
      reportsRoot: dir,
    });
    expect(out.error).toBeUndefined();
    expect(out.result!.pass).toBe(false);
    expect(out.result!.failures).toEqual([
      expect.stringMatching(/^iteration 1: rss_peak: measured [\d.]+ KB( \(±[\d.]+ KB\))? is not <= 1 KB$/),
    ]);
  });

  it('NETSCALE_THRESHOLD_NO_SUCH_METRIC fails the suite before any process starts, naming the known metrics', async () => {
    const runId = `env-unknown-${process.pid}-${Date.now()}`;
    const started = watchTaggedProcesses({ runTag: runId, match: /./ });
    const run = await runSpec({
      project: 'bgp',
      spec: 'suites/bgp/route-scale.spec.ts',
      timeoutMs: 60_000,
      env: {
        NETSCALE_RUN_ID: runId,
        NETSCALE_REPORTS_DIR: join(dir, 'reports'),
        NETSCALE_THRESHOLD_NO_SUCH_METRIC: '< 1s',
      },
    });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/NETSCALE_THRESHOLD_NO_SUCH_METRIC.*names no metric/);
    expect(run.output).toMatch(/prefix_add_time/);
    expect(run.output).toMatch(/rss_peak/);
    expect(started.stop()).toEqual([]);
    expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]);
  });
});
