import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { register as registerSummarize } from '../../lib/cli/commands/summarize.ts';
import { RunArchive, type ScenarioRecorder } from '../../lib/report/run-archive.ts';
import { parseThreshold, evaluateThreshold } from '../../lib/thresholds/threshold.ts';
import { writeKnownSeries } from '../support/known-series.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/**
 * One iteration of known timing (test/support/known-series.ts): spans run to the middle of each
 * bracket. Its params hold a secret that must never reach the archive.
 */
function recordIteration(sc: ScenarioRecorder, iteration: number, off: number) {
  const add = parseThreshold('prefix_add_time', '< 0.1s');
  sc.recordIteration({
    ...writeKnownSeries(sc, iteration, off),
    params: { instances: 10, agents: 10, routes: 100, password: 'hunter2' },
    measurements: { prefix_add_time: { value: 0.15, unit: 's', resolution: 0.05 } },
    verdicts: [evaluateThreshold(add, { value: 0.15, resolution: 0.05 })],
  });
}

/** Runs `netscale summarize` as the CLI does (commander, same registration) and captures stdout. */
async function captureSummarize(args: string[]): Promise<{ out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const program = new Command('netscale').exitOverride();
    registerSummarize(program);
    await program.parseAsync(['node', 'netscale', 'summarize', ...args]);
    return { out };
  } finally {
    spy.mockRestore();
  }
}

describe('run archive', () => {
  it('writes results.json, results.csv, raw series and a legacy summary that summarize reproduces', async () => {
    const root = await mkdtemp(join(tmpdir(), 'netscale-runs-'));
    dirs.push(root);
    const run = await RunArchive.open({ root, runId: 'r1', environment: { lab: 'sim' } });
    expect(run.dir).toBe(join(root, 'runs', 'r1'));
    const sc = run.scenario('route scale', { parallel: false, params: { iterations: 2 } });
    recordIteration(sc, 1, 0);
    recordIteration(sc, 2, 1000);
    await sc.finish();

    const results = JSON.parse(await readFile(join(run.dir, 'results.json'), 'utf8'));
    expect(results.runId).toBe('r1');
    expect(results.environment).toEqual({ lab: 'sim' });
    expect(results.scenarios[0].iterations).toHaveLength(2);
    expect(results.scenarios[0].iterations[0].series.prefixes).toBe('raw/route_scale/1/prefixes.ndjson');
    expect(results.scenarios[0].iterations[0].verdicts[0].pass).toBe(false);
    expect((await stat(join(run.dir, 'raw/route_scale/2/peers_up.ndjson'))).size).toBeGreaterThan(0);

    const csv = await readFile(join(run.dir, 'results.csv'), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('run_id,scenario,iteration,metric,value,unit,resolution,threshold,pass,message');
    expect(lines[1]).toBe(
      'r1,route scale,1,prefix_add_time,0.15,s,0.05,< 0.1,false,prefix_add_time: measured 0.15 s (±0.05 s) is not < 0.1 s',
    );

    const summary = await readFile(join(run.dir, 'results_summary.txt'), 'utf8');
    expect(summary).toContain('iterations: 2 (sequential)');
    expect(summary).toContain('total XMPP peers: 20');
    expect(summary).toContain('peer bring-up time: 0.3 s (±0.1 s)');
    expect(summary).toContain('average time per peer: 15 ms');
    expect(summary).toContain('peers up per second: 66.67');
    expect(summary).toContain('total prefixes: 2000');
    expect(summary).toContain('total updates (sent by the control node): 20000');
    expect(summary).toContain('prefix add time: 0.25 s (±0.05 s)');
    expect(summary).toContain('prefix delete time: 0.15 s (±0.05 s)');
    expect(summary).toContain('average time per prefix: 125 us');
    expect(summary).toContain('average time per update: 12.5 us');
    expect(summary).toContain('prefixes per second: 8000');
    expect(summary).toContain('updates per second: 80000');
    // Secrets in params never reach the archive.
    for (const f of ['results.json', 'results.csv', 'results_summary.txt', 'scenarios/route_scale.json']) {
      expect(await readFile(join(run.dir, f), 'utf8')).not.toContain('hunter2');
    }

    const text = await captureSummarize([run.dir]);
    expect(text.out).toBe(summary);
    const json = await captureSummarize([run.dir, '--json']);
    const figures = JSON.parse(json.out);
    expect(figures.scenarios[0].totals.add).toEqual({ ms: 250, resolutionMs: 50 });
  });

  it('parallel iterations use one wall-clock span from first start to last end, not summed time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'netscale-runs-'));
    dirs.push(root);
    const run = await RunArchive.open({ root, runId: 'r2' });
    const sc = run.scenario('parallel', { parallel: true });
    recordIteration(sc, 1, 0);
    recordIteration(sc, 2, 50);
    await sc.finish();
    const { out } = await captureSummarize([run.dir, '--json']);
    const totals = JSON.parse(out).scenarios[0].totals;
    expect(totals.peerUp.ms).toBe(200); // 1000 -> middle of [1150, 1250], not 150 + 150
    expect(totals.add.ms).toBe(175); // 1300 -> middle of [1450, 1500]
    expect(totals.peers).toBe(20);
    expect(totals.peersPerSecond).toBeCloseTo(100, 6);
  });

  it('summarize names a directory that is not a run archive', async () => {
    await expect(captureSummarize(['/nonexistent/run'])).rejects.toThrow(
      '/nonexistent/run: not a run archive (expected /nonexistent/run/run.json)',
    );
  });
});
