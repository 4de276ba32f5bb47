/**
 * A TrafficGenerator on real packets through the netns data plane (netns-dataplane.ts): nsd-sender in the
 * sending namespace (tools.ts says why not trafgen), frames counted at the receiving namespace's interface,
 * rates and loss under vsperf's keys like the MoonGen driver's.
 *
 * Each trial: interface counters (and the DUT's qdisc counters) before; one paced sender per direction
 * sending rate x duration frames; counters after, once the DUT's queues have drained. The trial records the
 * rate offered and the rate the sender achieved, judged by offered-rate.ts: a shortfall is DUT
 * back-pressure (loss) when the generator alone reaches the rate, else the trial fails ("generator could
 * not offer ..."). The generator alone is calibrated per frame size (and direction count) over the
 * calibration veth pairs, and the searches never offer more than that: unshaped, what they find is the
 * generator/veth limit, and the result's notes say so.
 *
 * Latency is measured only when asked, from probes in the stream (about probesPerSecond of them, each
 * carrying its send time) whose kernel receive time a receiver in the far namespace takes; otherwise, and
 * when no probe arrived, latencyNs is null: not measured.
 *
 * Trials last at most maxTrialSeconds (the lab's setting, like the MoonGen emulator's time scale): a veth
 * data plane settles in well under a second, and a scenario sized for hardware asks for 60 s trials.
 * Addresses and MACs are the data plane's own; the traffic spec's l2 MACs and l3 addresses are not used.
 * Flows differ in the UDP source port (srcPort + flow index).
 */
import { monotonicMs } from '../clock.ts';
import type { ProcessHandle } from '../hosts/host.ts';
import { backToBackResult, backToBackRow } from '../trafficgen/back-to-back-result.ts';
import { rfc2544BackgroundTests, type Rfc2544BackgroundTests } from '../trafficgen/background-test.ts';
import { lineRateFps } from '../trafficgen/line-rate.ts';
import { lossPct, type SearchTrial } from '../trafficgen/search/trial.ts';
import { throughputByTrials } from '../trafficgen/throughput-by-trials.ts';
import { repeatTests } from '../trafficgen/repeat-tests.ts';
import { throughputOverTests } from '../trafficgen/throughput-over-tests.ts';
import { offeredMpps, type TrafficSpec } from '../trafficgen/traffic.ts';
import type {
  BackToBackOptions,
  BackToBackResult,
  BurstOptions,
  ContinuousOptions,
  ThroughputOptions,
  ThroughputResult,
  TrafficGenerator,
  TrafficResult,
} from '../trafficgen/traffic-generator.ts';
import { vsperfThroughput } from '../trafficgen/vsperf-results.ts';
import { longestPassingBurst } from '../trafficgen/search/burst-search.ts';
import { linkDelta, qdiscDelta, type LinkCounters, type QdiscCounters } from './interface-counters.ts';
import { startLatencyReceivers, stopLatencyReceivers, type LatencyMeasurement } from './latency-receivers.ts';
import { DataplaneError, type NetnsDataplane } from './netns-dataplane.ts';
import { fmtRate, judgeDirection } from './offered-rate.ts';
import {
  parseSenderReport,
  senderCommand,
  type Direction,
  type SenderReport,
  type SenderRun,
} from './sender-command.ts';
import { prepareTools, type DataplaneTools } from './tools.ts';
import { trafficResultOf, type NetnsTrialRecord } from './trial-record.ts';

export type { NetnsTrialRecord } from './trial-record.ts';

export interface NetnsGeneratorOptions {
  /** Where the sender is built and the receiver placed, on the data plane's host. */
  workDir: string;
  /** Nominal link speed for line-rate %, Mbit/s (veth has none of its own). */
  linkSpeedMbit: number;
  maxTrialSeconds?: number;
  /** Shortfall of achieved vs offered rate that is the sender's own timing noise, %. Default 1. */
  pacingTolerancePct?: number;
  probesPerSecond?: number;
  calibrationSeconds?: number;
  probePort?: number;
}

export interface NetnsThroughputResult extends ThroughputResult {
  /** Highest rate the search offered per direction, Mpps: min(line rate, calibrated generator rate). */
  maxRateMpps: number;
  calibratedMpps: number;
  lineRateMpps: number;
  /** What the search's top rate was: the line rate, or the generator's own limit. */
  cappedBy: 'line rate' | 'generator';
  notes: string[];
}

interface Before {
  rx: LinkCounters[];
  tx: LinkCounters[];
  qdiscs: Record<string, QdiscCounters>;
}

const SLACK_MS = 300;

export class NetnsTrafficGenerator implements TrafficGenerator {
  readonly name: string;
  private readonly linkGbps: number;
  private readonly maxTrialS: number;
  private readonly tolerancePct: number;
  private readonly probesPerS: number;
  private readonly calibrationS: number;
  private readonly probePort: number;
  private tools: DataplaneTools | null = null;
  private readonly calibrated = new Map<string, number>();
  private cont: {
    traffic: TrafficSpec;
    fps: number;
    handles: ProcessHandle[];
    before: Before;
    dirs: Direction[];
  } | null = null;
  private readonly background: Rfc2544BackgroundTests<NetnsThroughputResult>;
  private trialCount = 0;
  /** Every trial run, offered and achieved rates included. */
  readonly trials: NetnsTrialRecord[] = [];

  constructor(
    readonly dataplane: NetnsDataplane,
    private readonly opts: NetnsGeneratorOptions,
  ) {
    if (!(opts.linkSpeedMbit > 0))
      throw new DataplaneError(`linkSpeedMbit: expected > 0, found ${opts.linkSpeedMbit}`);
    this.linkGbps = opts.linkSpeedMbit / 1000;
    this.maxTrialS = opts.maxTrialSeconds ?? 1;
    this.tolerancePct = opts.pacingTolerancePct ?? 1;
    this.probesPerS = opts.probesPerSecond ?? 1000;
    this.calibrationS = opts.calibrationSeconds ?? 0.3;
    this.probePort = opts.probePort ?? 7777;
    this.name = `netns(${dataplane.spec.dut}${dataplane.spec.rateLimitMbit !== undefined ? `, ${dataplane.spec.rateLimitMbit} Mbit/s` : ''})@${dataplane.host.name}`;
    this.background = rfc2544BackgroundTests(this.name, DataplaneError);
  }

  private get host() {
    return this.dataplane.host;
  }

  async connect(): Promise<void> {
    this.tools = await prepareTools(this.host, this.opts.workDir);
  }

  async disconnect(): Promise<void> {
    const c = this.cont;
    this.cont = null;
    if (c) await Promise.all(c.handles.map((h) => h.stop({ graceMs: 2000 })));
  }

  private requireTools(): DataplaneTools {
    if (!this.tools) throw new DataplaneError(`${this.name}: connect() first`);
    return this.tools;
  }

  private directions(bidir: boolean): Direction[] {
    const dp = this.dataplane;
    const fwd: Direction = { from: dp.gen, to: dp.rcv, fromName: 'gen' };
    return bidir ? [fwd, { from: dp.rcv, to: dp.gen, fromName: 'rcv' }] : [fwd];
  }

  lineRateMpps(frameSize: number): number {
    return lineRateFps(this.linkGbps, frameSize) / 1e6;
  }

  private senderCommand(traffic: TrafficSpec, d: Direction, o: SenderRun): string {
    return senderCommand(this.requireTools().sender, this.dataplane, traffic, d, o);
  }

  /** Latency probes for a trial at `fps`: about probesPerSecond of them. */
  private probes(fps: number): SenderRun['probes'] {
    return { every: Math.max(1, Math.round(fps / this.probesPerS)), port: this.probePort };
  }

  /** The generator alone, per frame size and direction count: frames/s it reaches unpaced, the slowest direction. */
  async calibratedFps(traffic: TrafficSpec): Promise<number> {
    const key = `${traffic.l2.frameSize}/${traffic.bidir}`;
    const known = this.calibrated.get(key);
    if (known !== undefined) return known;
    const maxMs = this.calibrationS * 1000;
    const reports = await Promise.all(
      this.directions(traffic.bidir).map(async (d) => {
        const cmd = this.senderCommand(traffic, d, { fps: 0, count: 0, maxMs, calibration: true });
        const r = await this.host.exec(cmd, { timeoutMs: maxMs + 30_000 });
        if (r.code !== 0)
          throw new DataplaneError(`${this.name}: calibration sender failed: ${r.stderr.trim()}`);
        return parseSenderReport(r.stdout, `${this.name} calibration`);
      }),
    );
    const fps = Math.min(...reports.map((r) => (r.elapsedS > 0 ? r.sent / r.elapsedS : 0)));
    this.calibrated.set(key, fps);
    return fps;
  }

  private async countersBefore(dirs: Direction[]): Promise<Before> {
    const dp = this.dataplane;
    const qdiscs: Record<string, QdiscCounters> = {};
    for (const dev of [dp.dutDevs.towardRcv, dp.dutDevs.towardGen])
      qdiscs[dev] = await dp.qdiscCounters(dp.namespaces.dut, dev);
    return {
      rx: await Promise.all(dirs.map((d) => dp.linkCounters(d.to.ns, d.to.dev))),
      tx: await Promise.all(dirs.map((d) => dp.linkCounters(d.from.ns, d.from.dev))),
      qdiscs,
    };
  }

  /** Counters after, judged per direction, recorded; returns the result and the search's counts. */
  private async finish(
    traffic: TrafficSpec,
    label: string,
    fps: number,
    durationS: number,
    dirs: Direction[],
    before: Before,
    reports: SenderReport[],
    latency: LatencyMeasurement | null,
  ): Promise<{ result: TrafficResult; worst: { tx: number; rx: number }; record: NetnsTrialRecord }> {
    const dp = this.dataplane;
    const size = traffic.l2.frameSize;
    const rxAfter = await Promise.all(dirs.map((d) => dp.settledRx(d.to.ns, d.to.dev)));
    const txAfter = await Promise.all(dirs.map((d) => dp.linkCounters(d.from.ns, d.from.dev)));
    const qdiscs: Record<string, QdiscCounters> = {};
    for (const [dev, b] of Object.entries(before.qdiscs))
      qdiscs[dev] = qdiscDelta(b, await dp.qdiscCounters(dp.namespaces.dut, dev));
    const calibratedFps = await this.calibratedFps(traffic);
    const index = ++this.trialCount;
    const record: NetnsTrialRecord = {
      index,
      label,
      frameSize: size,
      offeredFps: fps,
      durationS,
      directions: dirs.map((d, i) => {
        const rxCounter = linkDelta(before.rx[i]!, rxAfter[i]!);
        const txCounter = linkDelta(before.tx[i]!, txAfter[i]!);
        const rep = reports[i]!;
        const judged = judgeDirection(
          { offeredFps: fps, sent: rep.sent, elapsedS: rep.elapsedS, received: rxCounter.rxPackets },
          {
            pacingTolerancePct: this.tolerancePct,
            calibratedFps,
            where: `${this.name} ${size} B ${d.from.ns} -> ${d.to.ns}`,
          },
        );
        return {
          from: d.from.ns,
          to: d.to.ns,
          sent: rep.sent,
          elapsedS: rep.elapsedS,
          received: rxCounter.rxPackets,
          judged,
          txCounter,
          rxCounter,
        };
      }),
      qdiscs,
      latency,
    };
    this.trials.push(record);
    return { ...trafficResultOf(record, this.linkGbps), record };
  }

  /** One trial: `fps` per direction for `durationS` (capped at maxTrialSeconds). */
  async trial(
    traffic: TrafficSpec,
    fps: number,
    durationS: number,
    opts: { latency?: boolean; label?: string } = {},
  ): Promise<{ result: TrafficResult; worst: { tx: number; rx: number }; record: NetnsTrialRecord }> {
    const d = Math.min(durationS, this.maxTrialS);
    const dirs = this.directions(traffic.bidir);
    const count = Math.max(1, Math.round(fps * d));
    const before = await this.countersBefore(dirs);
    const receivers = opts.latency
      ? await startLatencyReceivers(
          this.host,
          this.requireTools().receiver,
          dirs.map((dir) => dir.to),
          this.probePort,
        )
      : [];
    let reports: SenderReport[];
    try {
      reports = await Promise.all(
        dirs.map(async (dir) => {
          const maxMs = d * 1000 * 1.5 + SLACK_MS;
          const probes = opts.latency ? this.probes(fps) : undefined;
          const cmd = this.senderCommand(traffic, dir, { fps, count, maxMs, probes });
          const r = await this.host.exec(cmd, { timeoutMs: maxMs + 30_000 });
          if (r.code !== 0)
            throw new DataplaneError(
              `${this.name}: sender in ${dir.from.ns} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim()}`,
            );
          return parseSenderReport(r.stdout, `${this.name} ${dir.from.ns}`);
        }),
      );
    } catch (err) {
      await Promise.all(receivers.map((h) => h.stop({ graceMs: 1000 })));
      throw err;
    }
    await Promise.all(dirs.map((dir) => this.dataplane.settledRx(dir.to.ns, dir.to.dev)));
    const latency = opts.latency ? await stopLatencyReceivers(receivers) : null;
    return this.finish(traffic, opts.label ?? 'trial', fps, d, dirs, before, reports, latency);
  }

  async sendContTraffic(traffic: TrafficSpec, opts: ContinuousOptions): Promise<TrafficResult> {
    const fps = offeredMpps(traffic, this.linkGbps) * 1e6;
    return (await this.trial(traffic, fps, opts.durationS, { latency: opts.latency, label: 'continuous' }))
      .result;
  }

  async startContTraffic(traffic: TrafficSpec, opts: { maxDurationS?: number } = {}): Promise<void> {
    if (this.cont) throw new DataplaneError(`${this.name}: continuous traffic already running`);
    const fps = offeredMpps(traffic, this.linkGbps) * 1e6;
    const dirs = this.directions(traffic.bidir);
    const before = await this.countersBefore(dirs);
    const maxMs = (opts.maxDurationS ?? 24 * 3600) * 1000;
    const handles: ProcessHandle[] = [];
    for (const d of dirs) {
      const cmd = this.senderCommand(traffic, d, { fps, count: 0, maxMs });
      handles.push(await this.host.spawn(cmd, { name: `nsd-sender ${d.from.ns}` }));
    }
    this.cont = { traffic, fps, handles, before, dirs };
  }

  async stopContTraffic(): Promise<TrafficResult> {
    const c = this.cont;
    if (!c) throw new DataplaneError(`${this.name}: stopContTraffic without startContTraffic`);
    this.cont = null;
    const started = monotonicMs();
    // TERM: the sender stops and prints its report.
    await Promise.all(c.handles.map((h) => h.stop({ graceMs: 5000 })));
    const reports = c.handles.map((h) => parseSenderReport(h.output(), `${this.name} ${h.name}`));
    const durationS = Math.max(...reports.map((r) => r.elapsedS), (monotonicMs() - started) / 1000);
    return (await this.finish(c.traffic, 'start/stop', c.fps, durationS, c.dirs, c.before, reports, null))
      .result;
  }

  /** A burst of `frames` per direction at the traffic's rate: counted exactly (the sender's --count). */
  async sendBurstTraffic(traffic: TrafficSpec, opts: BurstOptions): Promise<TrafficResult> {
    if (!(Number.isInteger(opts.frames) && opts.frames > 0)) {
      throw new DataplaneError(
        `${this.name}: burst frames: expected a positive integer, found ${opts.frames}`,
      );
    }
    const fps = offeredMpps(traffic, this.linkGbps) * 1e6;
    // Duration that makes count == frames; the cap does not apply to an explicit frame count.
    const saved = this.maxTrialS;
    const durationS = opts.frames / fps;
    if (durationS > saved) {
      throw new DataplaneError(
        `${this.name}: a burst of ${opts.frames} frames at ${fmtRate(fps)} lasts ${durationS.toFixed(2)} s, over maxTrialSeconds ${saved}`,
      );
    }
    return (await this.trial(traffic, fps, durationS, { label: 'burst' })).result;
  }

  /** The search's top rate: the line rate, or the calibrated generator rate when that is lower. */
  private async topRate(
    traffic: TrafficSpec,
  ): Promise<{ maxFps: number; calibratedFps: number; lineFps: number }> {
    const lineFps = offeredMpps(traffic, this.linkGbps) * 1e6;
    const calibratedFps = await this.calibratedFps(traffic);
    return { maxFps: Math.min(lineFps, calibratedFps), calibratedFps, lineFps };
  }

  async rfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): Promise<NetnsThroughputResult> {
    return throughputOverTests(await repeatTests(opts.tests, () => this.throughputOnce(traffic, opts)));
  }

  private async throughputOnce(
    traffic: TrafficSpec,
    opts: ThroughputOptions,
  ): Promise<NetnsThroughputResult> {
    const search = opts.search ?? 'moongen';
    const loss = opts.lossPct ?? 0;
    const top = await this.topRate(traffic);
    const maxRate = top.maxFps / 1e6;
    const finalD = Math.min(opts.durationS, this.maxTrialS);
    const found = await throughputByTrials(
      (rate, durationS, label) => this.trial(traffic, rate * 1e6, durationS, { label }),
      {
        // 'moongen' (the script's own search) has no script here: the same search, trial by trial.
        search: search === 'multi-goal' ? 'multi-goal' : 'binary',
        maxRateMpps: maxRate,
        finalDurationS: finalD,
        initialDurationS: Math.min(opts.initialDurationS ?? 1, finalD / 4),
        lossPct: loss,
        granularityMpps: opts.granularityMpps ?? 0.1,
        relativeWidth: opts.relativeWidth ?? 0.005,
        onTrial: opts.onTrial,
      },
    );
    const { trials, goals, throughputMpps } = found;
    let result = found.result;
    const notes: string[] = [];
    const cappedBy = top.calibratedFps < top.lineFps ? 'generator' : 'line rate';
    if (cappedBy === 'generator') {
      notes.push(
        `the generator alone reaches ${fmtRate(top.calibratedFps)} per direction at ${traffic.l2.frameSize} B, below the line rate ${fmtRate(top.lineFps)}: the search offered at most that`,
      );
    }
    if (throughputMpps !== null && throughputMpps >= maxRate * (1 - (opts.relativeWidth ?? 0.005))) {
      notes.push(
        cappedBy === 'generator'
          ? `the throughput found is the generator/veth limit (${fmtRate(top.calibratedFps)}), not a limit of the DUT`
          : 'the DUT forwarded the full line rate without loss',
      );
    }
    if (opts.latency && throughputMpps !== null) {
      const lat = await this.trial(traffic, throughputMpps * 1e6, finalD, {
        latency: true,
        label: 'latency',
      });
      if (!lat.result.latencyNs) notes.push('latency not measured: no probe reached a receiver');
      if (result)
        result = { ...result, latencyNs: lat.result.latencyNs, logs: { ...result.logs, ...lat.result.logs } };
    } else if (!opts.latency) notes.push('latency not measured (not asked for)');
    if (result) result = { ...result, logs: { ...result.logs, 'netns-notes.txt': notes.join('\n') + '\n' } };
    return {
      search,
      throughputMpps,
      result,
      trials,
      goals,
      vsperf: vsperfThroughput(result),
      runs: 1,
      maxRateMpps: maxRate,
      calibratedMpps: top.calibratedFps / 1e6,
      lineRateMpps: top.lineFps / 1e6,
      cappedBy,
      notes,
    };
  }

  startRfc2544Throughput(traffic: TrafficSpec, opts: ThroughputOptions): void {
    this.background.throughput.start(() => this.rfc2544Throughput(traffic, opts));
  }

  waitRfc2544Throughput(): Promise<NetnsThroughputResult> {
    return this.background.throughput.wait();
  }

  /**
   * Back-to-back at the top rate (line rate, or the generator's limit): the full burst, then, if it lost
   * frames, shorter bursts (shrink 4x until one passes, then bisect on a log scale to 10 %; at most 16).
   */
  async rfc2544BackToBack(traffic: TrafficSpec, opts: BackToBackOptions): Promise<BackToBackResult> {
    const loss = opts.lossPct ?? 0;
    const { maxFps } = await this.topRate(traffic);
    const fullD = Math.min(opts.durationS, this.maxTrialS);
    const trials: SearchTrial[] = [];
    const logs: Record<string, string> = {};
    const burst = async (d: number, lower: number | null, upper: number | null) => {
      const t = await this.trial(traffic, maxFps, d, { label: 'burst' });
      const l = lossPct(t.worst);
      const rec: SearchTrial = {
        index: trials.length + 1,
        rateMpps: maxFps / 1e6,
        durationS: d,
        tx: t.worst.tx,
        rx: t.worst.rx,
        lossPct: l,
        passed: l <= loss,
        label: 'burst',
        lowerMpps: lower,
        upperMpps: upper,
      };
      trials.push(rec);
      Object.assign(logs, t.result.logs);
      opts.onTrial?.(rec);
      return { result: t.result, passed: rec.passed };
    };
    const rows = await repeatTests(opts.tests, async () => {
      const { full, best } = await longestPassingBurst(fullD, burst);
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
}
