/**
 * `netscale compare --metric <name>` (repeatable): the comparison, its table and its gate cover only the
 * metrics named, so a gate on prefix_add_time is not failed by a metric it does not trust (cpu_avg).
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { archiveNight, nightId, removeTempRoots, tempReportsRoot } from './synthetic-history.ts';

afterAll(removeTempRoots);
afterEach(() => {
  vi.unstubAllEnvs();
});

function compare(root: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  vi.stubEnv('NETSCALE_REPORTS_DIR', root);
  return runCli(['compare', ...args]);
}

/** Six nights of prefix_add_time near 8.1 s and cpu_avg near 20 %, then tonight's. */
async function nights(tonight: { add: number; cpu: number }): Promise<string> {
  const root = await tempReportsRoot();
  const adds = [8.1, 8.12, 8.08, 8.1, 8.13, 8.09, tonight.add];
  const cpus = [20, 20.4, 19.8, 20.1, 19.9, 20.2, tonight.cpu];
  for (const [i, add] of adds.entries()) {
    await archiveNight(root, i, {
      scenarios: {
        'route-scale': [
          {
            params: { run: 1, instances: 1, agents: 1, routes: 1000, servers: 1 },
            measurements: {
              prefix_add_time: { value: add, unit: 's', resolution: 0.01 },
              cpu_avg: { value: cpus[i]!, unit: '%' },
            },
          },
        ],
      },
    });
  }
  return root;
}

describe('netscale compare --metric', () => {
  it('gates only the named metric: a cpu_avg regression does not fail a gate on prefix_add_time', async () => {
    const root = await nights({ add: 8.11, cpu: 35 });
    const all = await compare(root, ['--fail-on-regression']);
    expect(all.code).toBe(1);
    expect(all.out).toMatch(/regressions:\n .*cpu_avg: 35% is 75 % above baseline 20\.05%/);

    const gated = await compare(root, ['--metric', 'prefix_add_time', '--fail-on-regression']);
    expect(gated.code, gated.err).toBe(0);
    expect(gated.out).toContain(
      `run ${nightId(6)} (lab lab-a) against the median of up to 7 earlier comparable runs, prefix_add_time only`,
    );
    expect(gated.out).toMatch(/│ prefix_add_time .*│ normal\s+│/);
    expect(gated.out).not.toContain('cpu_avg');
  });

  it('fails the gate naming the named metric when it regressed', async () => {
    const root = await nights({ add: 24.3, cpu: 20 });
    const r = await compare(root, [
      '--metric',
      'prefix_add_time',
      '--metric',
      'cpu_avg',
      '--fail-on-regression',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(', prefix_add_time, cpu_avg only');
    expect(r.out).toMatch(
      /regressions:\n .*prefix_add_time: 24\.3 s \(±0\.01 s\) is 200 % above baseline 8\.1 s/,
    );
    expect(r.err).toContain(`netscale compare: 1 regression(s) in run ${nightId(6)}`);
    const json = JSON.parse((await compare(root, ['--metric', 'prefix_add_time', '--json'])).out) as {
      verdicts: { key: { metric: string }; verdict: string }[];
    };
    expect(json.verdicts.map((v) => [v.key.metric, v.verdict])).toEqual([['prefix_add_time', 'regression']]);
  });

  it('says on stderr when the run did not measure a named metric', async () => {
    const root = await nights({ add: 8.1, cpu: 20 });
    const r = await compare(root, ['--metric', 'prefix_delete_time', '--fail-on-regression']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `netscale compare: --metric prefix_delete_time: run ${nightId(6)} did not measure it`,
    );
    expect(r.out).toContain(`run ${nightId(6)} has no prefix_delete_time in the history`);
  });

  it('refuses a name that is no metric, listing the catalogue', async () => {
    const root = await nights({ add: 8.1, cpu: 20 });
    const r = await compare(root, ['--metric', 'prefix_add_tme']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(
      /option '--metric <name>' argument 'prefix_add_tme' is invalid\. expected a metric of the catalogue \(.*prefix_add_time.*\)/,
    );
  });
});
