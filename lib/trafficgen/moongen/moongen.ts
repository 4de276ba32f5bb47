/**
 * MoonGen over a Host (SSH for a real lab, local for the embedded one): the
 * vsperf wrapper done right. Each run writes opnfv-vsperf-cfg.lua with every
 * key, uploads it to the base dir, runs the real invocation with a timeout of
 * the expected trial time plus slack, fetches the log and parses it; a log
 * without a report is an error naming the host and the file, never zeros.
 */
import type { Host, ProcessHandle } from '../../hosts/host.ts';
import { shellQuote } from '../../hosts/shell-quote.ts';
import { backToBackResult, backToBackRow } from '../back-to-back-result.ts';
import { longestPassingBurst } from '../search/burst-search.ts';
import { rfc2544BackgroundTests, type Rfc2544BackgroundTests } from '../background-test.ts';
import { lineRateFps, lineRateMpps } from '../line-rate.ts';
import { repeatTests } from '../repeat-tests.ts';
import { throughputOverTests } from '../throughput-over-tests.ts';
import { offeredMpps, type TrafficSpec } from '../traffic.ts';
import type {
  BackToBackOptions,
  BackToBackResult,
  BurstOptions,
  ContinuousOptions,
  LatencyNs,
  ThroughputOptions,
  ThroughputResult,
  TrafficGenerator,
  TrafficResult,
} from '../traffic-generator.ts';
import { vsperfThroughput } from '../vsperf-results.ts';
import { lossPct, type SearchTrial, type TrialCounts } from '../search/trial.ts';
import { throughputByTrials } from '../throughput-by-trials.ts';
import { vsperfConfig, writeVsperfConfig, type ConfigRunOptions } from './config-writer.ts';
import { parseMoonGenLog } from './log-parser.ts';
import { moonGenMetrics } from './log-metrics.ts';
import {
  latencyHistogramFile,
  latencyOf,
  parseLatencyHistogram,
  type LatencyHistogram,
} from './latency-histogram.ts';

export interface MoonGenOptions {
  /** MoonGen checkout on the host. */
  baseDir: string;
  binary?: string;
  script?: string;
  ports?: number[];
  linkSpeedGbps?: number;
  /** Seconds MoonGen may run beyond the expected trial time. */
  timeoutSlackSeconds?: number;
}

const CONFIG_FILE = 'opnfv-vsperf-cfg.lua';
const LOG_FILE = 'moongen_log.txt';
/** Rx counters run 3 s before and after Tx in every trial of the script. */
const TRIAL_OVERHEAD_S = 6;

/** A burst as MoonGen sent it: timed, not counted (see MoonGen.sendBurstTraffic). */
export interface MoonGenBurstResult extends TrafficResult {
  /** Frames asked for, over all directions. */
  requestedFrames: number;
  /** How long the burst was sent for, s. */
  burstDurationS: number;
  /** Why the count sent may differ from the request. */
  notes: string[];
}

export class MoonGenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoonGenError';
  }
}

export class MoonGen implements TrafficGenerator {
  readonly name: string;
  private readonly base: string;
  private readonly binary: string;
  private readonly script: string;
  private readonly ports: number[];
  private readonly linkGbps: number;
  private readonly slackS: number;
  private cont: { handle: ProcessHandle; traffic: TrafficSpec } | null = null;
  private readonly background: Rfc2544BackgroundTests<ThroughputResult>;
  private runs = 0;

  constructor(
    readonly host: Host,
    opts: MoonGenOptions,
  ) {
    this.base = opts.baseDir.replace(/\/+$/, '');
    this.binary = opts.binary ?? './build/MoonGen';
    this.script = opts.script ?? 'examples/opnfv-vsperf.lua';
    this.ports = opts.ports ?? [0, 1];
    this.linkGbps = opts.linkSpeedGbps ?? 10;
    this.slackS = opts.timeoutSlackSeconds ?? 300;
    this.name = `MoonGen@${host.name}`;
    this.background = rfc2544BackgroundTests(this.name, MoonGenError);
    if (this.ports.length < 2 || this.ports.length % 2) {
      throw new MoonGenError(
        `${this.name}: ports: expected pairs like [0, 1], found ${JSON.stringify(this.ports)}`,
      );
    }
  }

  private where(file: string): string {
    return `${this.host.name}:${this.base}/${file}`;
  }

  async connect(): Promise<void> {
    const q = shellQuote;
    const checks: [string, string][] = [
      [`test -d ${q(this.base)}`, `base dir ${this.host.name}:${this.base} does not exist`],
      [`test -f ${q(`${this.base}/${this.script}`)}`, `MoonGen script ${this.where(this.script)} not found`],
      [
        `test -x ${q(`${this.base}/${this.binary}`)}`,
        `MoonGen binary ${this.where(this.binary)} not found or not executable`,
      ],
    ];
    for (const [cmd, message] of checks) {
      const r = await this.host.exec(cmd, { timeoutMs: 30_000 });
      if (r.code !== 0)
        throw new MoonGenError(`${this.name}: ${message}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
    }
  }

  async disconnect(): Promise<void> {
    if (this.cont) await this.cont.handle.stop({ graceMs: 5000 });
    this.cont = null;
  }

  private config(traffic: TrafficSpec, run: Omit<ConfigRunOptions, 'ports' | 'linkGbps'>) {
    return vsperfConfig(traffic, { ports: this.ports, linkGbps: this.linkGbps, ...run });
  }

  private async upload(text: string): Promise<void> {
    const q = shellQuote;
    // Stale logs and histograms (both scripts' names) must never be read as this run's.
    await this.host.exec(
      `cd ${q(this.base)} && rm -f ${LOG_FILE} hist:*.csv latency:histogram_*.csv latency:samples_*.csv`,
      { timeoutMs: 30_000 },
    );
    try {
      await this.host.writeFile(`${this.base}/${CONFIG_FILE}`, text);
    } catch (err) {
      throw new MoonGenError(
        `${this.name}: cannot write ${this.where(CONFIG_FILE)}: ${(err as Error).message}`,
      );
    }
  }

  private command(): string {
    return `cd ${shellQuote(this.base)} && exec ${shellQuote(this.binary)} ${shellQuote(this.script)} > ${LOG_FILE} 2>&1`;
  }

  /** One MoonGen run: upload config, run with a timeout, fetch and parse the log. */
  private async run(
    cfgText: string,
    expectedS: number,
    latency: boolean,
  ): Promise<{ result: TrafficResult; log: string }> {
    await this.upload(cfgText);
    const timeoutMs = (expectedS + this.slackS) * 1000;
    const r = await this.host.exec(this.command(), { timeoutMs });
    const log = await this.fetchLog();
    this.runs++;
    if (r.timedOut) {
      throw new MoonGenError(
        `${this.name}: MoonGen ran longer than ${Math.round(timeoutMs / 1000)} s (expected ${Math.round(expectedS)} s + slack) and was stopped; log ${this.where(LOG_FILE)}: ${tail(log)}`,
      );
    }
    if (r.code !== 0 && !log.includes('total:')) {
      throw new MoonGenError(
        `${this.name}: MoonGen exited with ${r.code ?? r.signal}; log ${this.where(LOG_FILE)}: ${tail(log || r.stderr)}`,
      );
    }
    return { result: await this.resultFromLog(log, latency), log };
  }

  private async fetchLog(): Promise<string> {
    try {
      return (await this.host.readFile(`${this.base}/${LOG_FILE}`)).toString('utf8');
    } catch (err) {
      throw new MoonGenError(`${this.name}: cannot fetch ${this.where(LOG_FILE)}: ${(err as Error).message}`);
    }
  }

  private async resultFromLog(log: string, latency: boolean): Promise<TrafficResult> {
    const source = this.where(LOG_FILE);
    const m = moonGenMetrics(parseMoonGenLog(log, source), { linkGbps: this.linkGbps, source });
    return {
      frameSize: m.frameSize,
      linkGbps: m.linkGbps,
      streams: m.streams,
      txFrames: m.txFrames,
      rxFrames: m.rxFrames,
      lossFrames: m.lossFrames,
      lossPct: m.lossPct,
      txFps: m.txFps,
      rxFps: m.rxFps,
      txMbps: m.txMbps,
      rxMbps: m.rxMbps,
      txPctLineRate: m.txPctLineRate,
      rxPctLineRate: m.rxPctLineRate,
      latencyNs: latency ? await this.latency() : null,
      directions: m.directions.map(
        ({ from, to, txFrames, rxFrames, lossFrames, lossPct, rxFps, rxMbps, rxPctLineRate }) => ({
          from,
          to,
          txFrames,
          rxFrames,
          lossFrames,
          lossPct,
          rxFps,
          rxMbps,
          rxPctLineRate,
        }),
      ),
      logs: { [`moongen-run-${this.runs}.log`]: log },
    };
  }

  /**
   * Min/avg/max over the latency histograms of the last run: hist:<a>-<b>.csv (opnfv-vsperf.lua) or
   * latency:histogram_dev:<a>-<b>_rate:<r>.csv with its header line (trafficgen.lua); see latency-histogram.ts.
   */
  private async latency(): Promise<LatencyNs> {
    const ls = await this.host.exec(`cd ${shellQuote(this.base)} && ls -1`, { timeoutMs: 30_000 });
    const files = ls.stdout.split('\n').filter((f) => latencyHistogramFile(f) !== undefined);
    if (ls.code !== 0 || files.length === 0) {
      throw new MoonGenError(
        `${this.name}: latency requested but MoonGen wrote no ${this.where('hist:*.csv')} or ${this.where('latency:histogram_*.csv')}`,
      );
    }
    const histograms: LatencyHistogram[] = [];
    for (const f of files) {
      const text = (await this.host.readFile(`${this.base}/${f}`)).toString('utf8');
      histograms.push(parseLatencyHistogram(text, this.where(f)));
    }
    return latencyOf(histograms, this.name);
  }

  /** A one-shot trial at a rate (Mpps per direction) for a duration. */
  private async oneShot(
    traffic: TrafficSpec,
    rateMpps: number,
    durationS: number,
    opts: { latency?: boolean; acceptableLossPct?: number } = {},
  ): Promise<TrafficResult> {
    const cfg = this.config(traffic, {
      startRateMpps: rateMpps,
      oneShot: true,
      searchRunTimeS: durationS,
      validationRunTimeS: durationS,
      acceptableLossPct: opts.acceptableLossPct ?? 100,
      testType: opts.latency ? 'throughput-latency' : 'throughput',
    });
    return (await this.run(writeVsperfConfig(cfg), durationS + TRIAL_OVERHEAD_S, !!opts.latency)).result;
  }

  async sendContTraffic(traffic: TrafficSpec, opts: ContinuousOptions): Promise<TrafficResult> {
    return this.oneShot(traffic, offeredMpps(traffic, this.linkGbps), opts.durationS, {
      latency: opts.latency,
    });
  }

  async startContTraffic(traffic: TrafficSpec, opts: { maxDurationS?: number } = {}): Promise<void> {
    if (this.cont)
      throw new MoonGenError(
        `${this.name}: continuous traffic already running (pid ${this.cont.handle.pid})`,
      );
    const durationS = opts.maxDurationS ?? 24 * 3600;
    const cfg = this.config(traffic, {
      startRateMpps: offeredMpps(traffic, this.linkGbps),
      oneShot: true,
      searchRunTimeS: durationS,
      validationRunTimeS: durationS,
      acceptableLossPct: 100,
    });
    await this.upload(writeVsperfConfig(cfg));
    const handle = await this.host.spawn(this.command(), { name: 'MoonGen' });
    this.cont = { handle, traffic };
  }

  async stopContTraffic(): Promise<TrafficResult> {
    if (!this.cont) throw new MoonGenError(`${this.name}: stopContTraffic without startContTraffic`);
    const { handle } = this.cont;
    this.cont = null;
    // TERM ends the trial the way Ctrl-C does; the script still prints its report.
    await handle.stop({ graceMs: 10_000 });
    this.runs++;
    return this.resultFromLog(await this.fetchLog(), false);
  }

  /**
   * A burst of `opts.frames` frames per direction at the traffic's rate. Not an exact count: neither
   * opnfv-vsperf.lua nor trafficgen.lua has a frame-count option (their configs take run times only), so
   * the burst is sent for frames / rate seconds, after the script's own rate calibration. The frames
   * really sent are the result's txFrames; `notes` says so and by how much they differ from the request.
   */
  async sendBurstTraffic(traffic: TrafficSpec, opts: BurstOptions): Promise<MoonGenBurstResult> {
    if (!(Number.isInteger(opts.frames) && opts.frames > 0)) {
      throw new MoonGenError(`${this.name}: burst frames: expected a positive integer, found ${opts.frames}`);
    }
    const rate = offeredMpps(traffic, this.linkGbps);
    const durationS = opts.frames / (rate * 1e6);
    const result = await this.oneShot(traffic, rate, durationS);
    const requested = opts.frames * result.streams;
    const diff = result.txFrames - requested;
    const note =
      `MoonGen's ${this.script} has no frame-count option: the burst was timed ` +
      `(${Number(durationS.toPrecision(6))} s at ${Number(rate.toPrecision(6))} Mpps per direction), ` +
      `not counted; ${result.txFrames} frames sent for ${requested} requested` +
      (diff === 0 ? '' : ` (${diff > 0 ? '+' : ''}${diff})`);
    return { ...result, requestedFrames: requested, burstDurationS: durationS, notes: [note] };
  }

  async rfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): Promise<ThroughputResult> {
    return throughputOverTests(await repeatTests(opts.tests, () => this.throughputOnce(traffic, opts)));
  }

  private async throughputOnce(traffic: TrafficSpec, opts: ThroughputOptions): Promise<ThroughputResult> {
    const search = opts.search ?? 'moongen';
    const loss = opts.lossPct ?? 0;
    const maxRate = offeredMpps(traffic, this.linkGbps);
    const granularity = opts.granularityMpps ?? 0.1;
    let result: TrafficResult | null = null;
    let throughputMpps: number | null = null;
    let trials: SearchTrial[] = [];
    let goals: ThroughputResult['goals'] = null;

    if (search === 'moongen') {
      const cfg = this.config(traffic, {
        startRateMpps: maxRate,
        oneShot: false,
        searchRunTimeS: opts.durationS,
        validationRunTimeS: opts.durationS,
        acceptableLossPct: loss,
        rateGranularityMpps: granularity,
      });
      const steps = Math.ceil(Math.log2(Math.max(2, maxRate / granularity))) + 4;
      const { result: r, log } = await this.run(
        writeVsperfConfig(cfg),
        steps * (opts.durationS + TRIAL_OVERHEAD_S),
        false,
      );
      result = r;
      const parsed = parseMoonGenLog(log, this.where(LOG_FILE));
      // The script prints only each trial's rate and loss %, not its frame counts.
      trials = parsed.trials.map((t, i) => ({
        index: i + 1,
        rateMpps: t.rateMpps,
        durationS: opts.durationS,
        tx: NaN,
        rx: NaN,
        lossPct: t.maxLossPct ?? NaN,
        passed: t.passed,
        label: t.finalValidation ? 'validation' : 'search',
        lowerMpps: null,
        upperMpps: null,
      }));
      trials.forEach((t) => opts.onTrial?.(t));
      throughputMpps = result.txFps !== null ? result.txFps / 1e6 / result.streams : null;
    } else {
      const run = async (rate: number, durationS: number) => {
        const r = await this.oneShot(traffic, rate, durationS);
        return { result: r, worst: worstCounts(r) };
      };
      ({ trials, goals, throughputMpps, result } = await throughputByTrials(run, {
        search,
        maxRateMpps: maxRate,
        finalDurationS: opts.durationS,
        initialDurationS: opts.initialDurationS ?? 1,
        lossPct: loss,
        granularityMpps: granularity,
        relativeWidth: opts.relativeWidth ?? 0.005,
        onTrial: opts.onTrial,
      }));
    }
    if (opts.latency && throughputMpps !== null) {
      // RFC 2544 latency is measured at the throughput rate.
      const lat = await this.oneShot(traffic, throughputMpps, opts.durationS, { latency: true });
      if (result) result = { ...result, latencyNs: lat.latencyNs, logs: { ...result.logs, ...lat.logs } };
    }
    return { search, throughputMpps, result, trials, goals, vsperf: vsperfThroughput(result), runs: 1 };
  }

  startRfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): void {
    this.background.throughput.start(() => this.rfc2544Throughput(traffic, opts));
  }

  waitRfc2544Throughput(): Promise<ThroughputResult> {
    return this.background.throughput.wait();
  }

  async rfc2544BackToBack(traffic: TrafficSpec, opts: BackToBackOptions): Promise<BackToBackResult> {
    const loss = opts.lossPct ?? 0;
    const rate = offeredMpps(traffic, this.linkGbps);
    const trials: SearchTrial[] = [];
    const logs: Record<string, string> = {};
    const record = (r: TrafficResult, durationS: number, lower: number | null, upper: number | null) => {
      const worst = worstCounts(r);
      const t: SearchTrial = {
        index: trials.length + 1,
        rateMpps: rate,
        durationS,
        tx: worst.tx,
        rx: worst.rx,
        lossPct: lossPct(worst),
        passed: lossPct(worst) <= loss,
        label: 'burst',
        lowerMpps: lower,
        upperMpps: upper,
      };
      trials.push(t);
      Object.assign(logs, r.logs);
      opts.onTrial?.(t);
      return t;
    };
    const rows = await repeatTests(opts.tests, async () => {
      const { full, best } = await longestPassingBurst(opts.durationS, async (d, lower, upper) => {
        const result = await this.oneShot(traffic, rate, d);
        return { result, passed: record(result, d, lower, upper).passed };
      });
      return backToBackRow(full, best);
    });
    return backToBackResult(rows, trials, logs);
  }

  startRfc2544BackToBack(traffic: TrafficSpec, opts: BackToBackOptions): void {
    this.background.backToBack.start(() => this.rfc2544BackToBack(traffic, opts));
  }

  waitRfc2544BackToBack(): Promise<BackToBackResult> {
    return this.background.backToBack.wait();
  }

  /** Line rate of one direction at a frame size on this generator's links. */
  lineRateMpps(frameSize: number): number {
    return lineRateMpps(this.linkGbps, frameSize);
  }

  lineRateFps(frameSize: number): number {
    return lineRateFps(this.linkGbps, frameSize);
  }
}

/** The script judges every direction on its own: the one with the highest loss decides. */
function worstCounts(r: TrafficResult): TrialCounts {
  const worst = r.directions.reduce((w, d) => (d.lossPct > w.lossPct ? d : w));
  return { tx: worst.txFrames, rx: worst.rxFrames };
}

function tail(text: string, lines = 5): string {
  const t = text.trim().split('\n').slice(-lines).join(' | ');
  return t ? `last lines: ${t}` : 'empty';
}
