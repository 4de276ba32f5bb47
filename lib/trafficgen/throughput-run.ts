/**
 * A throughput scenario (lib/scenario/throughput-schema.ts) run over a TrafficGenerator: per frame size
 * the scenario's test (throughput search, back-to-back bursts or continuous traffic), its result as
 * catalogue measurements (absent when not measured, never 0 or NaN), the scenario's thresholds checked,
 * one run-archive iteration recorded (params, measurements, verdicts) and Allure attachments (table,
 * search trace, logs); at the end the scenario record is written and the summary table and the chart of
 * one metric vs frame size are drawn from it.
 *
 *   const runner = new ThroughputScenarioRunner({ loaded, generator, archive });
 *   const result = await runner.run();           // or runner.startStop() (continuous scenarios)
 *   for (const row of result.frameSizes) expect.soft(row.measurements).toMeetThresholds(row.thresholds);
 *
 * Which figure is which:
 * - throughput: rates and loss of the trial at the throughput rate (averaged over `tests`),
 *   throughput_mpps the rate found (resolution: the search's final bracket), latency at that rate.
 * - back-to-back: rates and loss of the longest burst within the loss goal; its frame count is
 *   `b2b_frames` among the extras (a figure the metric catalogue has no name for).
 * - continuous: the run itself.
 */
import { monotonicMs, sleep } from '../clock.ts';
import { attachText, labels, parameters, phase } from '../report/allure.ts';
import type { RunArchive, ScenarioRecord } from '../report/run-archive.ts';
import type { LoadedThroughputScenario } from '../scenario/load-throughput.ts';
import { metricsMeasuredBy, type ThroughputScenario } from '../scenario/throughput-schema.ts';
import type { MeasuredValue, Measurements } from '../thresholds/metric-catalogue.ts';
import type { Threshold } from '../thresholds/threshold.ts';
import { checkAll, type ThresholdReport } from '../thresholds/threshold-set.ts';
import type { GoalResult } from './search/multi-goal-search.ts';
import { searchProgressLine, type SearchProgress } from './search/progress-line.ts';
import type { SearchTrial } from './search/trial.ts';
import type {
  BackToBackResult,
  ThroughputResult,
  TrafficGenerator,
  TrafficResult,
} from './traffic-generator.ts';
import { TRAFFIC_DEFAULTS, trafficSpec, type TrafficSpec } from './traffic.ts';
import { vsperfThroughput } from './vsperf-results.ts';
import {
  attachFrameSizeTable,
  attachLogs,
  attachSearchTrace,
  reportFrameSizeSweep,
} from './throughput-report.ts';

export const THROUGHPUT_EPIC = 'Throughput';

export interface FrameSizeResult {
  /** 1-based, the run-archive iteration. */
  iteration: number;
  frameSize: number;
  measurements: Measurements;
  /** Figures without a catalogue name (back-to-back: b2b_frames); archived and shown, not thresholded. */
  extras: Record<string, MeasuredValue>;
  /** The scenario's thresholds on metrics this run measures. */
  thresholds: Threshold[];
  verdicts: ThresholdReport;
  /** What the reader should know: no rate met the goal, a threshold not applied, PDR, ... */
  notes: string[];
  trials: SearchTrial[];
  /** Throughput with the multi-goal search: every goal's bracket (NDR, PDR). */
  goals: GoalResult[] | null;
}

export interface ThroughputScenarioResult {
  /** Name of the run-archive scenario record. */
  scenario: string;
  frameSizes: FrameSizeResult[];
  pass: boolean;
  /** One line per failed threshold, naming its frame size. */
  failures: string[];
  record: ScenarioRecord;
}

export interface ThroughputRunnerDeps {
  loaded: LoadedThroughputScenario;
  generator: TrafficGenerator;
  archive: RunArchive;
  /** Live search progress; default one terminal line per frame size. */
  progress?: (title: string) => SearchProgress;
  /** Waits while start/stop traffic runs; default a timer. */
  wait?: (ms: number) => Promise<void>;
}

/** One frame size's result before thresholds and archive. */
interface Measured {
  measurements: Measurements;
  extras: Record<string, MeasuredValue>;
  notes: string[];
  trials: SearchTrial[];
  goals: GoalResult[] | null;
  logs: Record<string, string>;
}

type MeasureFn = (traffic: TrafficSpec, title: string) => Promise<Measured>;

const CHART_METRIC: Record<ThroughputScenario['kind'], string> = {
  throughput: 'throughput_rx_percent',
  'back-to-back': 'b2b_frames',
  continuous: 'throughput_rx_percent',
};

/** `v` in base units (`scale` from the generator's unit), or undefined when the generator reported none. */
function value(
  v: number | null | undefined,
  unit: MeasuredValue['unit'],
  scale = 1,
): MeasuredValue | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  // 15 significant digits: what a double holds exactly, without the conversion's last-digit noise.
  return { value: Number((v * scale).toPrecision(15)), unit };
}

/** Leaves out what was not measured: a missing key, never an undefined or NaN value. */
function present<K extends string>(
  m: Partial<Record<K, MeasuredValue | undefined>>,
): Partial<Record<K, MeasuredValue>> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as Partial<
    Record<K, MeasuredValue>
  >;
}

/** Catalogue measurements from a result under vsperf's keys (lib/trafficgen/vsperf-results.ts). */
export function vsperfMeasurements(v: Readonly<Record<string, number | undefined>>): Measurements {
  return present({
    frame_loss: value(v.frame_loss_percent, '%'),
    throughput_rx_percent: value(v.throughput_rx_percent, '%'),
    throughput_rx_fps: value(v.throughput_rx_fps, '/s'),
    throughput_rx_mbps: value(v.throughput_rx_mbps, 'bit/s', 1e6),
    latency_min: value(v.min_latency_ns, 's', 1e-9),
    latency_avg: value(v.avg_latency_ns, 's', 1e-9),
    latency_max: value(v.max_latency_ns, 's', 1e-9),
  });
}

/** The search's final bracket around the rate found, Mpps, when it knows one. */
function bracketMpps(r: ThroughputResult): number | undefined {
  const goal = r.goals?.[0];
  if (goal) return goal.widthMpps ?? undefined;
  const last = [...r.trials].reverse().find((t) => t.lowerMpps !== null && t.upperMpps !== null);
  return last ? last.upperMpps! - last.lowerMpps! : undefined;
}

function throughputMeasured(r: ThroughputResult, lossGoalPct: number): Measured {
  const measurements = vsperfMeasurements(r.vsperf);
  const notes: string[] = [];
  if (r.throughputMpps === null) {
    notes.push(
      `no offered rate met the loss goal (<= ${lossGoalPct} %): no throughput, its figures are absent`,
    );
  } else {
    const rate = value(r.throughputMpps, '/s', 1e6)!;
    const resolution = bracketMpps(r);
    measurements.throughput_mpps =
      resolution === undefined ? rate : { ...rate, resolution: value(resolution, '/s', 1e6)!.value };
  }
  for (const g of r.goals?.slice(1) ?? []) {
    const f = (x: number | null) => (x === null ? '-' : x.toFixed(3));
    notes.push(
      `${g.goal.name} (loss <= ${g.goal.lossPct} %): ${f(g.lowerMpps)} Mpps, bracket [${f(g.lowerMpps)}, ${f(g.upperMpps)}]`,
    );
  }
  return { measurements, extras: {}, notes, trials: r.trials, goals: r.goals, logs: r.result?.logs ?? {} };
}

function continuousMeasured(r: TrafficResult): Measured {
  const measurements = vsperfMeasurements(vsperfThroughput(r));
  return { measurements, extras: {}, notes: [], trials: [], goals: null, logs: r.logs };
}

function backToBackMeasured(r: BackToBackResult, durationS: number): Measured {
  // The generator reports 0 frames when no burst met the goal: that is "none found", not a measurement.
  const found = r.b2bTxCount > 0;
  const measurements: Measurements = found
    ? present({
        frame_loss: value((100 * (r.b2bTxCount - r.b2bFrames)) / r.b2bTxCount, '%'),
        throughput_rx_fps: value(r.vsperf.b2b_rx_fps, '/s'),
        throughput_rx_percent: value(r.vsperf.b2b_rx_percent, '%'),
      })
    : {};
  const notes = [
    `the full ${durationS} s burst lost ${r.b2bLossPct.toFixed(6)} % (${Math.round(r.b2bLossFrames)} frames)`,
    found
      ? `longest burst within the loss goal: ${r.burstDurationS.toPrecision(4)} s, ${Math.round(r.b2bFrames)} frames`
      : 'no burst met the loss goal: its figures are absent',
  ];
  const extras: Record<string, MeasuredValue> = found
    ? { b2b_frames: { value: r.b2bFrames, unit: 'count' } }
    : {};
  return { measurements, extras, notes, trials: r.trials, goals: null, logs: r.logs };
}

export class ThroughputScenarioRunner {
  private readonly progress: (title: string) => SearchProgress;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly deps: ThroughputRunnerDeps) {
    this.progress = deps.progress ?? ((title) => searchProgressLine(title));
    this.wait = deps.wait ?? ((ms) => sleep(ms));
  }

  get file(): string {
    return this.deps.loaded.file;
  }

  get scenario(): ThroughputScenario {
    return this.deps.loaded.scenario;
  }

  get thresholds(): LoadedThroughputScenario['thresholds'] {
    return this.deps.loaded.thresholds;
  }

  /** Runs the scenario's test at every frame size. */
  run(): Promise<ThroughputScenarioResult> {
    return this.runFrameSizes(this.scenario.name, this.measureFn(), { startStop: false });
  }

  /**
   * Continuous scenarios with `startStop`: traffic started, left running for holdSeconds, stopped, at
   * every frame size; recorded as scenario `<name>-start-stop`. No latency in this form.
   */
  startStop(): Promise<ThroughputScenarioResult> {
    const s = this.scenario;
    if (s.kind !== 'continuous' || !s.startStop) {
      throw new Error(
        `${this.file}: startStop: expected kind: continuous with a startStop key, found kind: ${s.kind}${s.kind === 'continuous' ? ' without startStop' : ''}`,
      );
    }
    const holdMs = s.startStop.holdSeconds * 1000;
    const gen = this.deps.generator;
    const measure: MeasureFn = async (traffic) => {
      await gen.startContTraffic(traffic);
      await this.wait(holdMs);
      const r = await gen.stopContTraffic();
      return continuousMeasured(r);
    };
    return this.runFrameSizes(`${s.name}-start-stop`, measure, {
      startStop: true,
      params: { hold_s: s.startStop.holdSeconds },
    });
  }

  private measureFn(): MeasureFn {
    const s = this.scenario;
    const gen = this.deps.generator;
    switch (s.kind) {
      case 'throughput':
        return async (traffic, title) => {
          const progress = this.progress(title);
          try {
            const r = await gen.rfc2544Throughput(traffic, {
              durationS: s.durationSeconds,
              lossPct: s.acceptableLossPct,
              tests: s.tests,
              latency: s.latency,
              search: s.search.kind,
              ...(s.search.kind === 'multi-goal'
                ? { relativeWidth: s.search.relativeWidth, initialDurationS: s.search.initialDurationSeconds }
                : { granularityMpps: s.search.granularityMpps }),
              onTrial: progress.onTrial,
            });
            return throughputMeasured(r, s.acceptableLossPct);
          } finally {
            progress.done();
          }
        };
      case 'back-to-back':
        return async (traffic, title) => {
          const progress = this.progress(title);
          try {
            const r = await gen.rfc2544BackToBack(traffic, {
              durationS: s.durationSeconds,
              lossPct: s.acceptableLossPct,
              tests: s.tests,
              onTrial: progress.onTrial,
            });
            return backToBackMeasured(r, s.durationSeconds);
          } finally {
            progress.done();
          }
        };
      case 'continuous':
        return async (traffic) => {
          const r = await gen.sendContTraffic(traffic, { durationS: s.durationSeconds, latency: s.latency });
          return continuousMeasured(r);
        };
    }
  }

  /** Parameters of each frame size's run, as the archive and Allure show them. */
  private runParams(): Record<string, unknown> {
    const s = this.scenario;
    const t = s.traffic;
    return {
      kind: s.kind,
      duration_s: s.durationSeconds,
      rate_pct: t.frameRatePct ?? TRAFFIC_DEFAULTS.frameRatePct,
      bidir: t.bidir ?? TRAFFIC_DEFAULTS.bidir,
      ...(s.kind === 'throughput' ? { search: s.search.kind, latency: s.latency, tests: s.tests } : {}),
      ...(s.kind === 'back-to-back' ? { tests: s.tests } : {}),
      ...(s.kind === 'continuous' ? { latency: s.latency } : {}),
      generator: this.deps.generator.name,
    };
  }

  private async runFrameSizes(
    name: string,
    measure: MeasureFn,
    opts: { startStop: boolean; params?: Record<string, unknown> },
  ): Promise<ThroughputScenarioResult> {
    const s = this.scenario;
    const runParams = { ...this.runParams(), ...opts.params };
    const params = { frame_sizes: s.frameSizes.join(', '), ...runParams };
    const measured = new Set<string>(metricsMeasuredBy(s, { startStop: opts.startStop }));
    const thresholds = this.thresholds.list().filter((t) => measured.has(t.metric));
    const skipped = this.thresholds
      .list()
      .filter((t) => !measured.has(t.metric))
      .map(
        (t) =>
          `threshold ${t.metric} ${t.expr} (${t.source}) not applied: this run does not measure ${t.metric}`,
      );

    await labels({ epic: THROUGHPUT_EPIC, feature: s.feature ?? s.name });
    await parameters(params);
    const recorder = this.deps.archive.scenario(name, { params: { ...params, scenario_file: this.file } });
    const frameSizes: FrameSizeResult[] = [];
    let record: ScenarioRecord;
    try {
      for (const [i, frameSize] of s.frameSizes.entries()) {
        const iteration = i + 1;
        const row = await phase(`${frameSize} B`, async () => {
          const traffic = trafficSpec({ ...s.traffic, l2: { ...s.traffic.l2, frameSize } });
          const startWall = Date.now();
          const start = monotonicMs();
          const m = await measure(traffic, `${name} ${frameSize} B`);
          const end = monotonicMs();
          const verdicts = checkAll(thresholds, m.measurements);
          recorder.recordIteration({
            iteration,
            params: { frame_size: frameSize, ...runParams },
            start,
            end,
            startWall,
            endWall: Date.now(),
            measurements: { ...present(m.measurements), ...m.extras },
            verdicts: verdicts.results,
          });
          await attachFrameSizeTable(name, { frameSize, values: { ...m.measurements, ...m.extras } });
          await attachSearchTrace(`${name} ${frameSize} B`, m.trials);
          await attachLogs(m.logs);
          const notes = [...m.notes, ...skipped];
          if (notes.length > 0) await attachText(`${name} ${frameSize} B: notes`, notes.join('\n') + '\n');
          const result: FrameSizeResult = {
            iteration,
            frameSize,
            measurements: m.measurements,
            extras: m.extras,
            thresholds,
            verdicts,
            notes,
            trials: m.trials,
            goals: m.goals,
          };
          return result;
        });
        frameSizes.push(row);
      }
    } finally {
      record = await recorder.finish();
    }
    const metric = CHART_METRIC[s.kind];
    await reportFrameSizeSweep(record, { metric, title: `${name}: ${metric} vs frame size` });
    const failures = frameSizes.flatMap((r) =>
      r.verdicts.failures.map((f) => `${r.frameSize} B: ${f.message} [${f.source}]`),
    );
    return { scenario: name, frameSizes, pass: failures.length === 0, failures, record };
  }
}
