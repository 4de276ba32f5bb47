/**
 * The throughput runner's bookkeeping over a generator whose results are given: what the generator
 * reported reaches measurements, verdicts, results.json/results.csv and the chart unchanged, and what it
 * did not report stays absent (no 0, no NaN).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { barChartSvg } from '../../lib/report/charts.ts';
import { RunArchive, type RunResults } from '../../lib/report/run-archive.ts';
import {
  parseThroughputScenario,
  type LoadedThroughputScenario,
} from '../../lib/scenario/load-throughput.ts';
import { ThresholdSet } from '../../lib/thresholds/threshold-set.ts';
import type {
  BackToBackResult,
  ThroughputResult,
  TrafficGenerator,
  TrafficResult,
} from '../../lib/trafficgen/traffic-generator.ts';
import type { TrafficSpec } from '../../lib/trafficgen/traffic.ts';
import { vsperfThroughput } from '../../lib/trafficgen/vsperf-results.ts';
import { frameSizeChart, frameSizeCsv, frameSizeRows } from '../../lib/trafficgen/throughput-report.ts';
import { ThroughputScenarioRunner } from '../../lib/trafficgen/throughput-run.ts';

function trafficResult(frameSize: number, lossPct: number, rxPct: number): TrafficResult {
  return {
    frameSize,
    linkGbps: 10,
    streams: 2,
    txFrames: 1_000_000,
    rxFrames: 1_000_000 * (1 - lossPct / 100),
    lossFrames: 10_000 * lossPct,
    lossPct,
    txFps: 2e6,
    rxFps: 2e6 * (1 - lossPct / 100),
    txMbps: 1500,
    rxMbps: 1480,
    txPctLineRate: rxPct,
    rxPctLineRate: rxPct,
    latencyNs: null,
    directions: [],
    logs: { [`run-${frameSize}.log`]: 'total: ...' },
  };
}

/**
 * Answers from a table by frame size; `null` means no rate (or burst) met the loss goal. Start/stop
 * traffic logs what it was asked, so a test can see the order of start, wait and stop.
 */
class GivenResults implements TrafficGenerator {
  readonly name = 'given-results';
  readonly calls: string[] = [];
  private started: TrafficSpec | null = null;
  constructor(private readonly bySize: Record<number, TrafficResult | null>) {}
  async rfc2544Throughput(traffic: TrafficSpec): Promise<ThroughputResult> {
    const result = this.bySize[traffic.l2.frameSize] ?? null;
    return {
      search: 'binary',
      throughputMpps: result ? 1 : null,
      result,
      trials: [],
      goals: null,
      vsperf: vsperfThroughput(result),
      runs: 1,
    };
  }
  async rfc2544BackToBack(traffic: TrafficSpec): Promise<BackToBackResult> {
    const r = this.bySize[traffic.l2.frameSize] ?? null;
    // What MoonGen reports when no burst met the goal: zero frames, NaN rates.
    return {
      b2bFrames: r?.rxFrames ?? 0,
      b2bTxCount: r?.txFrames ?? 0,
      b2bLossFrames: 500_000,
      b2bLossPct: 33,
      burstDurationS: r ? 0.001 : 0,
      trials: [],
      vsperf: {
        b2b_rx_fps: r?.rxFps ?? NaN,
        b2b_tx_fps: r?.txFps ?? NaN,
        b2b_rx_percent: r?.rxPctLineRate ?? NaN,
        b2b_tx_percent: r?.txPctLineRate ?? NaN,
        b2b_tx_count: r?.txFrames ?? 0,
        b2b_frames: r?.rxFrames ?? 0,
        b2b_frame_loss_frames: 500_000,
        b2b_frame_loss_percent: 33,
      },
      logs: {},
    };
  }
  async sendContTraffic(traffic: TrafficSpec): Promise<TrafficResult> {
    return this.bySize[traffic.l2.frameSize] ?? trafficResult(traffic.l2.frameSize, 0, 50);
  }
  async startContTraffic(traffic: TrafficSpec): Promise<void> {
    this.calls.push(`start ${traffic.l2.frameSize} B at ${traffic.frameRatePct} %`);
    this.started = traffic;
  }
  async stopContTraffic(): Promise<TrafficResult> {
    this.calls.push('stop');
    return trafficResult(this.started!.l2.frameSize, 0, this.started!.frameRatePct);
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  private unused(): never {
    throw new Error('not used by these tests');
  }
  sendBurstTraffic = async () => this.unused();
  startRfc2544Throughput = () => this.unused();
  waitRfc2544Throughput = async () => this.unused();
  startRfc2544BackToBack = () => this.unused();
  waitRfc2544BackToBack = async () => this.unused();
}

const SCENARIO = `
name: given
kind: throughput
frameSizes: [64, 128, 256]
search: { kind: binary }
thresholds: { frame_loss: '<= 0.001%', throughput_rx_percent: '>= 60%' }
`;

function loaded(env: Record<string, string> = {}): LoadedThroughputScenario {
  const scenario = parseThroughputScenario(SCENARIO, 'given.yaml');
  const thresholds = ThresholdSet.from({
    domain: 'throughput',
    defaults: {},
    file: { path: 'given.yaml', thresholds: scenario.thresholds },
    env,
  });
  return { file: 'given.yaml', scenario, thresholds };
}

const quiet = () => ({ onTrial: () => {}, done: () => {} });

describe('throughput scenario runner', () => {
  let root: string;
  let archive: RunArchive;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'throughput-run-'));
    archive = await RunArchive.open({ root, runId: 'run-1' });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // 64 B: lossless at 70 %; 128 B: 0.01 % loss (fails frame_loss); 256 B: no rate met the goal.
  const generator = () =>
    new GivenResults({ 64: trafficResult(64, 0, 70), 128: trafficResult(128, 0.01, 65), 256: null });

  it('archives a failing verdict in results.json and results.csv', async () => {
    const runner = new ThroughputScenarioRunner({
      loaded: loaded(),
      generator: generator(),
      archive,
      progress: quiet,
    });
    const result = await runner.run();

    expect(result.pass).toBe(false);
    expect(result.failures).toContain(
      '128 B: frame_loss: measured 0.01% is not <= 0.001% [scenario file given.yaml, key thresholds.frame_loss]',
    );
    const run = JSON.parse(await readFile(join(archive.dir, 'results.json'), 'utf8')) as RunResults;
    const it128 = run.scenarios.find((s) => s.scenario === 'given')!.iterations[1]!;
    expect(it128.params).toMatchObject({ frame_size: 128, kind: 'throughput', search: 'binary' });
    expect(it128.measurements.frame_loss).toEqual({ value: 0.01, unit: '%' });
    expect(it128.verdicts.find((v) => v.metric === 'frame_loss')).toMatchObject({
      pass: false,
      measured: 0.01,
      op: '<=',
      limit: 0.001,
    });

    const csv = await readFile(join(archive.dir, 'results.csv'), 'utf8');
    expect(csv).toContain(
      'run-1,given,2,frame_loss,0.01,%,,<= 0.001,false,frame_loss: measured 0.01% is not <= 0.001%\n',
    );
    expect(csv).toContain('run-1,given,1,frame_loss,0,%,,<= 0.001,true,');
  });

  it('lets an env threshold override the file in the recorded verdict', async () => {
    const env = { NETSCALE_THRESHOLD_FRAME_LOSS: '<= 0.1%' };
    const runner = new ThroughputScenarioRunner({
      loaded: loaded(env),
      generator: generator(),
      archive,
      progress: quiet,
    });
    const row = (await runner.run()).frameSizes[1]!;
    expect(row.verdicts.results.find((v) => v.metric === 'frame_loss')).toMatchObject({
      pass: true,
      limit: 0.1,
      source: 'env NETSCALE_THRESHOLD_FRAME_LOSS',
    });
  });

  it('leaves what was not measured absent: no measurement, an empty CSV cell, no bar', async () => {
    const runner = new ThroughputScenarioRunner({
      loaded: loaded(),
      generator: generator(),
      archive,
      progress: quiet,
    });
    const result = await runner.run();
    const row256 = result.frameSizes[2]!;

    expect(row256.measurements).toEqual({});
    expect(row256.notes[0]).toMatch(/no offered rate met the loss goal/);
    // A threshold on a missing measurement fails, naming it.
    expect(row256.verdicts.failures.map((f) => f.message)).toEqual([
      'frame_loss: no measurement (found nothing), limit <= 0.001%',
      'throughput_rx_percent: no measurement (found nothing), limit >= 60%',
    ]);

    // results.csv: the failed threshold has a row, with an empty value cell.
    const csv = await readFile(join(archive.dir, 'results.csv'), 'utf8');
    const lines256 = csv.split('\n').filter((l) => l.startsWith('run-1,given,3,'));
    expect(lines256).toEqual([
      'run-1,given,3,frame_loss,,%,,<= 0.001,false,"frame_loss: no measurement (found nothing), limit <= 0.001%"',
      'run-1,given,3,throughput_rx_percent,,%,,>= 60,false,"throughput_rx_percent: no measurement (found nothing), limit >= 60%"',
    ]);
    expect(csv).not.toMatch(/NaN/);

    // The frame-size CSV and chart, built from the archived record.
    const rows = frameSizeRows(result.record);
    const sizeCsv = frameSizeCsv(rows).split('\n');
    const header = sizeCsv[0]!.split(',');
    const cells256 = sizeCsv[3]!.split(',');
    expect(cells256[0]).toBe('256');
    expect(cells256.slice(1)).toEqual(header.slice(1).map(() => ''));

    const chart = frameSizeChart(rows, { metric: 'throughput_rx_percent', title: 'rx' });
    expect(chart.bars).toEqual([
      { label: '64', value: 70 },
      { label: '128', value: 65 },
      { label: '256', value: undefined },
    ]);
    const svg = await barChartSvg(chart);
    const bars = svg.match(/aria-label="[^"]*" role="graphics-symbol" aria-roledescription="bar"/g) ?? [];
    expect(bars.map((b) => /frame size \(B\): (\d+)/.exec(b)?.[1])).toEqual(['64', '128']);
    // The missing frame size keeps its place on the axis.
    expect(svg).toMatch(/>256<\/text>/);
  });

  it('reports no back-to-back burst within the goal as absent, not as 0 frames', async () => {
    const scenario = parseThroughputScenario(
      'name: b2b\nkind: back-to-back\nframeSizes: [64, 128]\n',
      'b2b.yaml',
    );
    const thresholds = ThresholdSet.from({ domain: 'throughput', defaults: { frame_loss: '<= 0.001%' } });
    const runner = new ThroughputScenarioRunner({
      loaded: { file: 'b2b.yaml', scenario, thresholds },
      generator: new GivenResults({ 64: trafficResult(64, 0, 100), 128: null }),
      archive,
      progress: quiet,
    });
    const [found, none] = (await runner.run()).frameSizes;
    expect(found!.extras).toEqual({ b2b_frames: { value: 1_000_000, unit: 'count' } });
    expect(found!.measurements).toMatchObject({
      frame_loss: { value: 0 },
      throughput_rx_percent: { value: 100 },
    });
    expect(none!.extras).toEqual({});
    expect(none!.measurements).toEqual({});
    expect(none!.notes).toContain('no burst met the loss goal: its figures are absent');
    expect(none!.verdicts.pass).toBe(false);
  });

  it('runs start/stop traffic for the hold time it waits, without latency thresholds, noting them', async () => {
    const scenario = parseThroughputScenario(
      [
        'name: cont',
        'kind: continuous',
        'frameSizes: [512]',
        'traffic: { frameRatePct: 30 }',
        'durationSeconds: 60',
        'latency: true',
        'startStop: { holdSeconds: 2.5 }',
        "thresholds: { latency_max: '< 1ms', throughput_rx_percent: '>= 29%' }",
      ].join('\n'),
      'cont.yaml',
    );
    const thresholds = ThresholdSet.from({
      domain: 'throughput',
      defaults: {},
      file: { path: 'cont.yaml', thresholds: scenario.thresholds },
    });
    const generator = new GivenResults({});
    const runner = new ThroughputScenarioRunner({
      loaded: { file: 'cont.yaml', scenario, thresholds },
      generator,
      archive,
      progress: quiet,
      wait: async (ms) => {
        generator.calls.push(`wait ${ms} ms`);
      },
    });
    const result = await runner.startStop();
    expect(generator.calls).toEqual(['start 512 B at 30 %', 'wait 2500 ms', 'stop']);
    expect(result.scenario).toBe('cont-start-stop');
    const [row] = result.frameSizes;
    expect(row!.thresholds.map((t) => t.metric)).toEqual(['throughput_rx_percent']);
    expect(row!.verdicts.pass).toBe(true);
    expect(row!.notes).toEqual([
      'threshold latency_max < 1ms (scenario file cont.yaml, key thresholds.latency_max) not applied: this run does not measure latency_max',
    ]);
  });
});
