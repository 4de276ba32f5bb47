import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { RunArchive, type ScenarioRecorder } from '../../lib/report/run-archive.ts';
import { writeKnownSeries } from '../support/known-series.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
afterEach(() => {
  process.exitCode = undefined;
});

/** One iteration of known timing (test/support/known-series.ts). */
function recordIteration(sc: ScenarioRecorder, iteration: number, off: number): void {
  sc.recordIteration({ ...writeKnownSeries(sc, iteration, off), params: { agents: 10 }, measurements: {} });
}

const runSummarize = (args: string[]) => runCli(['summarize', ...args]);

/** A two-iteration sequential archive; returns its directory. */
async function archive(runId: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'netscale-summarize-'));
  dirs.push(root);
  const run = await RunArchive.open({ root, runId });
  const sc = run.scenario('route scale', { parallel: false });
  recordIteration(sc, 1, 0);
  recordIteration(sc, 2, 1000);
  await sc.finish();
  return run.dir;
}

/** Cuts a file in the middle of line `line` (1-based), as a crash or an interrupted copy leaves it. */
async function truncateMidLine(file: string, line: number): Promise<void> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const offset = lines.slice(0, line - 1).join('\n').length + 1 + Math.floor(lines[line - 1]!.length / 2);
  await truncate(file, offset);
}

describe('netscale summarize on an archive with a missing or truncated series file', () => {
  it('prints every figure it can and says which file each lost figure needed', async () => {
    const dir = await archive('r-missing');
    // Iteration 1 loses its peers_up file; iteration 2's prefixes file is cut before the routes were complete.
    await unlink(join(dir, 'raw/route_scale/1/peers_up.ndjson'));
    await truncateMidLine(join(dir, 'raw/route_scale/2/prefixes.ndjson'), 4); // header + 1300, 1350, torn 1400

    const { out, err, code } = await runSummarize([dir]);
    expect(code).toBe(0);
    expect(err).toBe('');
    const missing = 'no measurement (raw/route_scale/1/peers_up.ndjson missing)';
    const truncated = 'no measurement (raw/route_scale/2/prefixes.ndjson truncated)';
    const lines = out.split('\n');
    const line = (prefix: string) => lines.find((l) => l.startsWith(prefix));
    // Iteration 1: peer bring-up lost, its routes measured; iteration 2: the reverse.
    expect(line('iteration 1:')).toBe(
      `iteration 1: agents=10: peers 10 up: ${missing}; ` +
        '1000 prefixes added in 0.125 s (±0.025 s), deleted in 0.075 s (±0.025 s)',
    );
    expect(line('iteration 2:')).toBe(
      `iteration 2: agents=10: peers 10 up in 0.15 s (±0.05 s); ` +
        `1000 prefixes added: ${truncated}, deleted: ${truncated}`,
    );
    // Totals built from a lost figure say why; the others are printed.
    expect(out).toContain(`  peer bring-up time: ${missing}\n`);
    expect(out).toContain(`  average time per peer: ${missing}\n`);
    expect(out).toContain(`  peers up per second: ${missing}\n`);
    expect(out).toContain(`  prefix add time: ${truncated}\n`);
    expect(out).toContain(`  updates per second: ${truncated}\n`);
    expect(out).toContain(`  deleted prefixes per second: ${truncated}\n`);
    expect(out).toContain('  total XMPP peers: 20\n');
    expect(out).toContain('  total prefixes: 2000\n');
    expect(out).not.toContain('ENOENT');
  });

  it('--json carries a note per lost figure, on the iteration and on the totals', async () => {
    const dir = await archive('r-json');
    await unlink(join(dir, 'raw/route_scale/2/pending_updates.ndjson'));
    const { out, code } = await runSummarize([dir, '--json']);
    expect(code).toBe(0);
    const sc = JSON.parse(out).scenarios[0];
    const note = 'no measurement (raw/route_scale/2/pending_updates.ndjson missing)';
    expect(sc.iterations[1].figureNotes).toEqual({ add: note });
    expect(sc.iterations[1].peerUp).toEqual({ ms: 150, resolutionMs: 50 });
    // pending_updates is not needed for the withdrawal: that figure stays.
    expect(sc.iterations[1].delete).toEqual({ ms: 75, resolutionMs: 25 });
    expect(sc.iterations[0].figureNotes).toEqual({});
    expect(sc.iterations[0].add).toEqual({ ms: 125, resolutionMs: 25 });
    expect(sc.figureNotes).toEqual({
      add: note,
      avgPerPrefixUs: note,
      avgPerUpdateUs: note,
      prefixesPerSecond: note,
      updatesPerSecond: note,
    });
    expect(sc.totals.peerUp).toEqual({ ms: 300, resolutionMs: 100 });
    expect(sc.totals.delete).toEqual({ ms: 150, resolutionMs: 50 });
    expect(sc.totals.add).toBeUndefined();
  });

  it('a truncated file whose milestone lies before the cut still gives its figure', async () => {
    const dir = await archive('r-late-cut');
    // prefixes lines: header, 1300, 1350, 1400, 1450, 1550, 1600. Cutting the last line (the 1600 sample,
    // where the withdrawal completes) keeps the add milestone (1450) and loses only the delete figure.
    await truncateMidLine(join(dir, 'raw/route_scale/1/prefixes.ndjson'), 7);
    const { out, code } = await runSummarize([dir, '--json']);
    expect(code).toBe(0);
    const it1 = JSON.parse(out).scenarios[0].iterations[0];
    expect(it1.add).toEqual({ ms: 125, resolutionMs: 25 });
    expect(it1.figureNotes).toEqual({
      delete: 'no measurement (raw/route_scale/1/prefixes.ndjson truncated)',
    });
  });

  it('names the reason when a series file is unreadable', async () => {
    const dir = await archive('r-corrupt');
    const file = join(dir, 'raw/route_scale/1/pending_updates.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[2] = 'not json';
    await writeFile(file, lines.join('\n'));
    const { out, code } = await runSummarize([dir, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).scenarios[0].iterations[0].figureNotes.add).toMatch(
      /^no measurement \(raw\/route_scale\/1\/pending_updates\.ndjson unreadable: line 3: not a JSON point/,
    );
  });
});
