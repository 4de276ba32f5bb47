/**
 * Every BGP scenario kind fails with a clear threshold message when the embedded lab misbehaves
 * (routes dropped, slow route processing, the control node crashing mid-run), and leaves no
 * process of its run behind (checked in /proc/<pid>/environ for the run tag). Sizes and timeouts
 * are cut down with the scenario env overrides so a failing wait gives up in seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { runningWithEnv } from '../support/proc.ts';
import { runEmbeddedScenario, simFault, type EmbeddedScenarioOutcome } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-faulty-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

// The tool looks for its trigger file every 3 s, so a healthy add needs up to ~3.5 s here.
const waits = (routesAddSeconds: number, extra: Record<string, unknown> = {}, exitSeconds = 3) =>
  JSON.stringify({
    ...extra,
    bgpStress: { timeouts: { peersUpSeconds: 8, routesAddSeconds, routesDeleteSeconds: 4, exitSeconds } },
  });

async function runFaulty(
  scenario: string,
  fault: unknown,
  env: Record<string, string>,
  when: 'before run' | 'after add' = 'before run',
): Promise<EmbeddedScenarioOutcome & { runId: string; text: string }> {
  const runId = `faulty-${scenario}-${process.pid}-${Date.now()}`;
  const out = await runEmbeddedScenario({
    scenarioFile: `scenarios/${scenario}.yaml`,
    env: { NETSCALE_SCENARIO_OVERRIDES: waits(5), ...env },
    runId,
    reportsRoot,
    beforeRun: (lab) => (when === 'before run' ? simFault(lab, fault) : Promise.resolve()),
    afterPhase: async (name, lab) => {
      if (when === 'after add' && name.startsWith('add')) await simFault(lab, fault);
    },
  });
  expect(out.error).toBeUndefined();
  // Nothing of the run is left: control node, bgp_stress_test, samplers.
  await vi.waitFor(() => expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]), {
    timeout: 5000,
    interval: 50,
  });
  const text = out.result!.failures.join('\n');
  process.stderr.write(`${scenario} with ${JSON.stringify(fault)} ${when}:\n${text}\n`);
  return { ...out, runId, text };
}

describe('BGP scenarios against a misbehaving embedded lab', { timeout: 90_000 }, () => {
  it('route scale: dropped routes fail prefix_add_time, naming the prefixes seen', async () => {
    const out = await runFaulty(
      'route-scale',
      { dropRoutes: { share: 0.2 } },
      { NETSCALE_ITERATIONS: '1x4x50' },
    );
    expect(out.result!.pass).toBe(false);
    expect(out.text).toMatch(/iteration 1: prefix_add_time: no measurement \(found nothing\), limit < 20 ?s/);
    expect(out.text).toMatch(
      /add: all prefixes in with pending_updates 0: not reached within 5 s \(peers 4\/4, prefixes 160\/200/,
    );
  });

  it('route scale with verifyRoutes off: dropped routes are not checked, only the peers are timed', async () => {
    // Nothing waits for the routes, so the tool may still be looking for its trigger (every 3 s) when
    // the pause ends: it gets time to finish by itself.
    const out = await runFaulty(
      'route-scale',
      { dropRoutes: { share: 0.2 } },
      { NETSCALE_ITERATIONS: '1x4x50', NETSCALE_SCENARIO_OVERRIDES: waits(5, { verifyRoutes: false }, 10) },
    );
    expect(out.result!.failures).toEqual([]);
    const it1 = out.result!.iterations[0]!;
    expect(it1.measurements.peers_up_time).toBeDefined();
    expect(it1.measurements.prefix_add_time).toBeUndefined();
    expect(it1.thresholds.map((t) => t.metric)).toEqual(['peers_up_time']);
  });

  it('agent scale: slow route processing fails prefix_add_time with measured value and limit', async () => {
    // The fault adds 3 ms to each route operation of the node's one processing queue: 2000 routes take
    // 7 s instead of the emulator's 1 s (0.5 ms each).
    const out = await runFaulty(
      'agent-scale',
      { slow: { msPerRoute: 3 } },
      {
        NETSCALE_ITERATIONS: '1x10x200',
        NETSCALE_SCENARIO_OVERRIDES: waits(25),
        NETSCALE_THRESHOLD_PREFIX_ADD_TIME: '< 2s',
      },
    );
    expect(out.result!.pass).toBe(false);
    expect(out.text).toMatch(/iteration 1: prefix_add_time: measured [\d.]+ s \(±[\d.]+ s\) is not < 2 ?s/);
  });

  it('fan-out: a control node crashing mid-run fails the run and exits 70', async () => {
    const out = await runFaulty('fan-out', { crash: { afterMs: 1500 } }, { NETSCALE_ITERATIONS: '1x5x20' });
    expect(out.simExit).toBe(70);
    expect(out.result!.pass).toBe(false);
    expect(out.text).toMatch(
      /iteration 1: (peers_up_time|prefix_add_time): no measurement \(found nothing\), limit < \d+ ?s/,
    );
  });

  it('flap: slow processing after the first add fails reconvergence_time', async () => {
    const out = await runFaulty(
      'flap',
      // 4 ms more per route operation: the flapped agents' 1200 re-fed routes take about 5 s.
      { slow: { msPerRoute: 4 } },
      {
        NETSCALE_ITERATIONS: '1x6x200',
        NETSCALE_SCENARIO_OVERRIDES: waits(25, { operation: { kind: 'add_and_flap', flaps: 1 } }),
        NETSCALE_THRESHOLD_RECONVERGENCE_TIME: '< 2s',
      },
      'after add',
    );
    expect(out.result!.iterations[0]!.measurements.prefix_add_time).toBeDefined();
    expect(out.result!.pass).toBe(false);
    expect(out.text).toMatch(
      /iteration 1: reconvergence_time: measured [\d.]+ s \(±[\d.]+ s\) is not < 2 ?s/,
    );
  });

  it('cpu runs: dropped routes fail every run, each named', async () => {
    const out = await runFaulty(
      'cpu-runs',
      { dropRoutes: { share: 0.5 } },
      { NETSCALE_ITERATIONS: '1x4x20' },
    );
    expect(out.result!.iterations.map((i) => i.run)).toEqual([1, 2]);
    expect(out.text).toMatch(/iteration 1: prefix_add_time: no measurement/);
    expect(out.text).toMatch(/iteration 2: prefix_add_time: no measurement/);
  });
});
