import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { archiveNight, nightId, removeTempRoots, tempReportsRoot } from './synthetic-history.ts';

afterAll(removeTempRoots);
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs `netscale compare ...` against a reports root. */
function compare(root: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  vi.stubEnv('NETSCALE_REPORTS_DIR', root);
  return runCli(['compare', ...args]);
}

/**
 * Nights 1-8 at 8.1 s (±0.05 s) with a spread that makes the noise band ±4.4 % (MAD 0.033 s over the
 * last 7: 5.24 x 1.4826 x 0.033 + 0.05 + 0.05 = 0.356 s of 8.1 s), on DUT 1.0; then `later` on DUT 1.1.
 */
async function nights(later: number[]): Promise<string> {
  const root = await tempReportsRoot();
  const values = [8.1, 8.1, 8.133, 8.067, 8.14, 8.06, 8.1, 8.12, ...later];
  for (const [i, value] of values.entries()) {
    await archiveNight(root, i, {
      environment: { lab: 'lab-a', dut_version: i < 8 ? '1.0' : '1.1' },
      scenarios: {
        'route-scale': [
          {
            params: { run: 1, instances: 2, agents: 10, routes: 100, servers: 1 },
            measurements: {
              prefix_add_time: { value, unit: 's', resolution: 0.05 },
              prefixes_per_second: { value: 1000 / value, unit: '/s' },
            },
          },
        ],
      },
    });
  }
  return root;
}

const REGRESSION_LINE =
  'prefix_add_time: 9.8 s (±0.05 s) is 21 % above baseline 8.1 s (median of 7 runs, noise ±4.4 %)';

describe('netscale compare', () => {
  it('--fail-on-regression exits 1 and names the regression with baseline, change and noise', async () => {
    const root = await nights([9.8]);
    const r = await compare(root, ['--fail-on-regression']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`history: appended 9 run(s) to ${join(root, 'history')}`);
    expect(r.out).toContain(`run ${nightId(8)} (lab lab-a, dut_version 1.1) against the median of up to 7`);
    expect(r.out).toContain(
      `regressions:\n  route-scale (instances=2,agents=10,routes=100,servers=1): ${REGRESSION_LINE}\n`,
    );
    // The rate falls with the time: a regression too.
    expect(r.out).toMatch(/prefixes_per_second: 102\/s is 17 % below baseline 123\.5\/s/);
    expect(r.out).toMatch(
      /│ prefix_add_time\s+│ 8\.1 s \(median of 7 runs\)\s+│ 9\.8 s \(±0\.05 s\)\s+│ \+21 %\s+│ ±4\.4 %\s+│ regression\s+│/,
    );
    expect(r.err).toContain(`netscale compare: 2 regression(s) in run ${nightId(8)}`);
    // The history now lists every archived run, so a cached history catches up.
    const listed = (await readFile(join(root, 'history', 'runs.jsonl'), 'utf8')).trim().split('\n');
    expect(listed).toHaveLength(9);
  });

  it('without --fail-on-regression a regression still exits 0', async () => {
    const root = await nights([9.8]);
    const r = await compare(root, []);
    expect(r.code).toBe(0);
    expect(r.out).toContain(REGRESSION_LINE);
  });

  it('a normal run exits 0 with --fail-on-regression', async () => {
    const root = await nights([8.11]);
    const r = await compare(root, ['--fail-on-regression']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('regressions:');
    expect(r.out).toMatch(
      /│ prefix_add_time\s+│ 8\.1 s \(median of 7 runs\)\s+│ 8\.11 s \(±0\.05 s\)\s+│ \+0\.12 %\s+│ ±4\.4 %\s+│ normal\s+│/,
    );
  });

  it('prints the change points of the compared metrics, with the DUT versions around the step', async () => {
    const root = await nights([9.8, 9.79, 9.81]);
    const r = await compare(root, []);
    expect(r.out).toContain(
      `change points:\n  route-scale (instances=2,agents=10,routes=100,servers=1): prefix_add_time stepped +21 % at run ${nightId(8)} (dut_version 1.0 → 1.1)\n`,
    );
    // The newest run is compared with the 7 before it, only 2 of them at the new level: the median
    // stays at the old level, so the regression is reported again until 4 of 7 runs have moved.
    expect(r.out).toMatch(
      /│ prefix_add_time\s+│ 8\.12 s \(median of 7 runs\)\s+│ 9\.81 s \(±0\.05 s\)\s+│ \+21 %\s+│ ±6\.3 %\s+│ regression/,
    );
  });

  it('compares a named run; --baseline pins the baseline to one run; --json prints the verdicts', async () => {
    const root = await nights([9.8, 8.1]);
    const r = await compare(root, [nightId(8), '--baseline', nightId(0), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.runId).toBe(nightId(8));
    const add = json.verdicts.find((v: { key: { metric: string } }) => v.key.metric === 'prefix_add_time');
    expect(add).toMatchObject({
      value: 9.8,
      verdict: 'regression',
      baseline: { found: true, kind: 'pinned', value: 8.1, runIds: [nightId(0)] },
    });
    expect(add.changePercent).toBeCloseTo(20.99, 2);
  });

  it('too little history: every verdict is "no baseline yet" and nothing fails', async () => {
    const root = await tempReportsRoot();
    for (const i of [0, 1]) {
      await archiveNight(root, i, {
        scenarios: {
          'route-scale': [
            { params: { instances: 1 }, measurements: { prefix_add_time: { value: 8 + 2 * i, unit: 's' } } },
          ],
        },
      });
    }
    const r = await compare(root, ['--fail-on-regression']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ prefix_add_time\s+│ -\s+│ 10 s\s+│ -\s+│ -\s+│ no baseline yet\s+│/);
  });

  it('names a run that is neither archived nor in the history, and refuses --baseline with --window', async () => {
    const root = await nights([]);
    const missing = await compare(root, ['night-99']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(
      `run night-99: not archived in ${root}/runs and not in the history ${join(root, 'history')}`,
    );
    const both = await compare(root, ['--baseline', nightId(0), '--window', '3']);
    expect(both.code).toBe(1);
    expect(both.err).toContain('--baseline and --window exclude each other');
    const badWindow = await compare(root, ['--window', 'x']);
    expect(badWindow.code).not.toBe(0);
    expect(badWindow.err).toContain("option '--window <n>' argument 'x' is invalid. expected a whole number");
  });
});
