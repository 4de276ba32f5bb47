/**
 * The throughput scenarios' thresholds against the emulator's lossy DUT model, which drops 0.01 % of
 * frames at every rate (sim/moongen/dut-model.ts): the loss threshold fails with a message naming value,
 * limit and scenario file, the verdict is archived, and a search that finds no lossless rate reports
 * its figures as absent, not as zeros.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { RunArchive } from '../../lib/report/run-archive.ts';
import { loadThroughputScenario, parseThroughputScenario } from '../../lib/scenario/load-throughput.ts';
import { ThresholdSet } from '../../lib/thresholds/threshold-set.ts';
import { MoonGen } from '../../lib/trafficgen/moongen/moongen.ts';
import { ThroughputScenarioRunner } from '../../lib/trafficgen/throughput-run.ts';
import { prepareMoonGenSimDir } from '../../sim/moongen/base-dir.ts';

const quiet = () => ({ onTrial: () => {}, done: () => {} });

describe('throughput thresholds against a lossy DUT model', () => {
  let base: string;
  let root: string;
  let host: LocalHost;
  let mg: MoonGen;
  let archive: RunArchive;
  beforeAll(async () => {
    base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-lossy-')), {
      preset: 'lossy',
      timeScale: 0.0005,
    });
    root = await mkdtemp(join(tmpdir(), 'throughput-archive-'));
    host = new LocalHost({ name: 'tg-lossy', runTag: `lossy-${process.pid}` });
    mg = new MoonGen(host, { baseDir: base, timeoutSlackSeconds: 30 });
    await mg.connect();
    archive = await RunArchive.open({ root, runId: 'lossy-run' });
  });
  afterAll(async () => {
    await host.close();
    await rm(base, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  it('fails the continuous scenario on frame loss, naming value, limit and file, and archives it', async () => {
    const file = 'scenarios/throughput/continuous.yaml';
    const runner = new ThroughputScenarioRunner({
      loaded: loadThroughputScenario(file, {}),
      generator: mg,
      archive,
      progress: quiet,
    });
    const [row] = (await runner.run()).frameSizes;
    const loss = row!.measurements.frame_loss!;
    expect(loss.value).toBeGreaterThan(0.001);
    expect(row!.verdicts.failures.map((f) => `${f.message} [${f.source}]`)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^frame_loss: measured \\d+\\.\\d+% is not <= 0\\.001% \\[scenario file ${file}, key thresholds\\.frame_loss\\]$`,
        ),
      ),
    ]);
    const csv = await readFile(join(archive.dir, 'results.csv'), 'utf8');
    expect(csv).toContain(`lossy-run,continuous,1,frame_loss,${loss.value},%,,<= 0.001,false,`);
  });

  it('reports no lossless throughput as absent figures and failed thresholds, with the PDR in the notes', async () => {
    const scenario = parseThroughputScenario(
      [
        'name: lossy-throughput',
        'kind: throughput',
        'frameSizes: [64]',
        'search: { kind: multi-goal, relativeWidth: 0.02 }',
        "thresholds: { throughput_rx_percent: '>= 60%' }",
      ].join('\n'),
      'lossy-throughput.yaml',
    );
    const thresholds = ThresholdSet.from({
      domain: 'throughput',
      defaults: {},
      file: { path: 'lossy-throughput.yaml', thresholds: scenario.thresholds },
    });
    const runner = new ThroughputScenarioRunner({
      loaded: { file: 'lossy-throughput.yaml', scenario, thresholds },
      generator: mg,
      archive,
      progress: quiet,
    });
    const [row] = (await runner.run()).frameSizes;
    expect(row!.measurements).toEqual({});
    expect(row!.verdicts.failures.map((f) => f.message)).toEqual([
      'throughput_rx_percent: no measurement (found nothing), limit >= 60%',
    ]);
    // PDR (loss <= 0.5 %) still exists on this DUT (10 Mpps): the multi-goal search reports it.
    expect(row!.goals![1]!.lowerMpps).toBeGreaterThan(9);
    expect(row!.notes).toContainEqual(expect.stringMatching(/^PDR \(loss <= 0\.5 %\): 9\.\d{3} Mpps/));
  });
});
