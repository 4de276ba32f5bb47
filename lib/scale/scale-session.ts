/**
 * A scale scenario over a device under test and a load: for each run (repeat.runs, with a device
 * restart between runs) and each group of iterations (one at a time, or all at once when parallel),
 * observe the device, sample its process and the test servers (host CPU and memory, CPU of each load
 * process), run the phases (lib/scale/phases.ts), then compute each iteration's metrics once, evaluate
 * the scenario's thresholds once, and record both in the run archive and Allure through one reporter.
 * The device as a whole (version, CPU and memory, peers, routes) is read once before the first
 * iteration and once after the last.
 *
 *   const session = new ScaleSession({ scenario, thresholds, dut, load, report });
 *   const result = await session.run();   // result.iterations[i].measurements / .verdicts / .notes
 *
 * With `verifyRoutes: false` (legacy no_verify_routes) only the peers are timed: route metrics and
 * their thresholds are left out. With the scenario's router.check, the router's route count is polled
 * per group too (router_routes_time: from the mark prefix_add_time is timed from until the router holds
 * its count from before the trigger plus the added prefixes). Failed requests of an observation are
 * one note per iteration: a run whose device answered garbage does not pass. `afterPhase` lets a test
 * act between phases (inject a fault, read the emulator's own record) while everything is up.
 */
import { clockResolutionMs, monotonicMs } from '../clock.ts';
import type { Dut, Observation } from '../dut/dut.ts';
import type { RouterCheck } from '../dut/junos-router.ts';
import { RouterRoutePoller } from '../dut/router-route-poller.ts';
import type { ExpectedLoad, Load, LoadEvent } from '../load/load.ts';
import {
  allPeersUp,
  allWithdrawn,
  firstPeerUp,
  routesComplete,
  type Milestone,
} from '../measure/milestones.ts';
import type { ProcessSampler } from '../measure/process-sampler.ts';
import { TestServerSampler } from '../measure/test-server-sampler.ts';
import { ProgressLine } from '../progress/progress-line.ts';
import type { ScenarioReport, TestServerChartData } from '../report/scenario-report.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { MetricName, Measurements } from '../thresholds/metric-catalogue.ts';
import type { Threshold, ThresholdBaseline } from '../thresholds/threshold.ts';
import { checkAll, type ThresholdReport, type ThresholdSet } from '../thresholds/threshold-set.ts';
import { iterationMetrics, type IterationTimeline } from './iteration-metrics.ts';
import * as phases from './phases.ts';

export interface ScaleSessionParts<Scope> {
  scenario: Scenario;
  thresholds: ThresholdSet;
  dut: Dut<Scope>;
  load: Load<Scope>;
  report: ScenarioReport;
  /**
   * When the scenario's router.check is set: its BGP neighbors checked after bring-up and add, its route
   * count polled through each group (router_routes_time).
   */
  router?: RouterCheck;
  signal?: AbortSignal;
  /**
   * After each phase, while the lab is up (tests: faults, the emulator's own record; a daemon run: the
   * monitor catching up). What it returns is a note of the iteration.
   */
  afterPhase?: (phase: string) => Promise<string | undefined | void>;
  /** The run history's baseline of a metric for an iteration, for relative thresholds. */
  baselineOf?: (metric: string, params: IterationParams) => ThresholdBaseline | undefined;
}

export interface IterationParams {
  run: number;
  instances: number;
  agents: number;
  routes: number;
  servers: number;
}

export interface IterationResult {
  /** 1-based, counted over repeated runs. */
  iteration: number;
  run: number;
  params: IterationParams;
  expected: ExpectedLoad;
  measurements: Measurements;
  /** Marks and milestones the figures come from (monotonic ms). */
  timeline: IterationTimeline;
  /** The thresholds that apply to this iteration (without route metrics when verifyRoutes is off). */
  thresholds: Threshold[];
  verdicts: ThresholdReport;
  /** What a wait saw when it gave up. */
  notes: string[];
}

export interface ScaleResult {
  scenario: string;
  iterations: IterationResult[];
  pass: boolean;
  /** One line per failed threshold or incomplete wait, each naming its iteration. */
  failures: string[];
}

/** Metrics that need the routes verified. */
const ROUTE_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  'prefix_add_time',
  'prefixes_per_second',
  'updates_per_second',
  'prefix_avg_time',
  'update_avg_time',
  'router_routes_time',
  'prefix_delete_time',
  'reconvergence_time',
  'cpu_at_peak_load',
]);

const sum = (all: ExpectedLoad[]): ExpectedLoad =>
  all.reduce((a, e) => ({
    peers: a.peers + e.peers,
    prefixes: a.prefixes + e.prefixes,
    agents: a.agents + e.agents,
    updates: a.updates + e.updates,
  }));

export class ScaleSession<Scope> {
  private readonly clockResolutionMs = clockResolutionMs();
  /** What the router check saw during the current group (reset per group). */
  private phaseNotes: string[] = [];

  constructor(private readonly p: ScaleSessionParts<Scope>) {}

  async run(): Promise<ScaleResult> {
    const { scenario, report, load } = this.p;
    const n = scenario.iterations.length;
    const groups = scenario.parallel
      ? [scenario.iterations.map((_, k) => k)]
      : scenario.iterations.map((_, k) => [k]);
    const results: IterationResult[] = [];
    for (const w of load.warnings()) await report.attachJson('plan warning', w);
    await report.dutStats('before', this.p.dut.name, await this.p.dut.stats());
    try {
      for (let run = 1; run <= scenario.repeat.runs; run++) {
        if (run > 1 && scenario.repeat.restartBetween) {
          await report.phase(`restart the ${this.p.dut.name} before run ${run}`, () =>
            this.p.dut.restart({ reboot: scenario.repeat.reboot }),
          );
        }
        for (const ks of groups) results.push(...(await this.runGroup(run, ks, (run - 1) * n)));
      }
    } finally {
      // Also after a failed run (what the device was left with), but not once the run was interrupted.
      if (!this.p.signal?.aborted) await report.dutStats('after', this.p.dut.name, await this.p.dut.stats());
    }
    await report.attachLogs(load.logFiles);
    const failures = results.flatMap((r) => [
      ...r.verdicts.failures.map((f) => `iteration ${r.iteration}: ${f.message}`),
      ...r.notes.map((note) => `iteration ${r.iteration}: ${note}`),
    ]);
    return { scenario: scenario.name, iterations: results, pass: failures.length === 0, failures };
  }

  private async phase<T>(name: string, scope: Scope, fn: () => Promise<T>): Promise<T> {
    return this.p.report.phase(name, async () => {
      const out = await fn();
      await this.afterPhase(name, scope);
      return out;
    });
  }

  /** Device (and router) state at the end of each phase, attached to it; a failure here is only recorded. */
  private async afterPhase(name: string, scope: Scope): Promise<void> {
    const label = name.split(':')[0]!;
    const { report, router, scenario } = this.p;
    const snapshot = await this.p.dut.snapshot(scope).catch((err: Error) => ({ error: err.message }));
    await report.attachJson(`${this.p.dut.name} after ${label}`, snapshot);
    if (router && scenario.router.check && (label === 'bring-up' || label === 'add')) {
      const r = await router.allUp().catch((err: Error) => ({ error: err.message }));
      await report.attachJson(`router ${router.host.name} after ${label}`, r);
      if ('error' in r) this.phaseNotes.push(r.error);
      else if (r.up < r.total)
        this.phaseNotes.push(
          `router ${router.host.name}: ${r.up}/${r.total} BGP neighbors up after ${label}`,
        );
    }
    const note = await this.p.afterPhase?.(name);
    if (note) this.phaseNotes.push(note);
  }

  private async runGroup(run: number, ks: number[], base: number): Promise<IterationResult[]> {
    const { scenario, dut, load, report } = this.p;
    const parallel = ks.length > 1;
    const iterationOf = (k: number) => base + k + 1;
    const first = iterationOf(ks[0]!);
    const observations: Observation[] = ks.map((k) =>
      dut.observe(load.scope([k], parallel), {
        targets: load.expected(k),
        makeSeries: (name, unit) => report.series(iterationOf(k), name, unit),
      }),
    );
    const routerPoller = this.routerPoller(first);
    const groupScope = load.scope(ks, false);
    const events: LoadEvent[] = [];
    const offEvents = load.onEvent((e) => events.push(e));
    this.phaseNotes = [];
    const ctx: phases.PhaseContext<Scope> = {
      load,
      ks,
      expected: sum(ks.map((k) => load.expected(k))),
      observations,
      timeouts: scenario.bgpStress.timeouts,
      marks: { start: monotonicMs() },
      events,
      notes: [],
      progress: new ProgressLine(`${scenario.name} #${ks.map(iterationOf).join('+')}`),
      clockResolutionMs: this.clockResolutionMs,
      signal: this.p.signal,
    };
    if (!scenario.verifyRoutes) ctx.expected = { ...ctx.expected, prefixes: 0 };
    else if (routerPoller && this.p.router) {
      ctx.router = {
        router: this.p.router.host.name,
        table: this.p.router.config.routeTable,
        routes: routerPoller.series.routes,
        lastError: () => routerPoller.lastError,
      };
    }
    const startWall = Date.now();
    let sampler: ProcessSampler | undefined;
    let servers: TestServerSampler | undefined;
    const serverProblems: string[] = [];
    // Subscribed before anything starts: every process of the group is sampled from its start.
    const offProcesses = load.onProcess((p) => {
      try {
        servers?.track(p);
      } catch (err) {
        serverProblems.push((err as Error).message);
      }
    });
    let flaps: IterationTimeline['flaps'];
    let churns: IterationTimeline['churns'];
    try {
      for (const o of observations) o.start();
      routerPoller?.start();
      if (scenario.cpu.sample) {
        // Started together: over SSH each start is a round trip or two.
        const [cn, ts] = await Promise.allSettled([
          dut.sampleProcess({
            intervalMs: scenario.cpu.intervalMs,
            makeSeries: (name, unit) => report.series(first, name, unit, { source: `${dut.name} /proc` }),
          }),
          TestServerSampler.start({
            servers: load.generatorServers,
            intervalMs: scenario.cpu.intervalMs,
            makeSeries: (name, unit, meta) =>
              report.series(first, name, unit, { source: 'test server /proc', ...meta }),
          }),
        ]);
        if (cn.status === 'fulfilled') sampler = cn.value;
        if (ts.status === 'fulfilled') servers = ts.value;
        if (cn.status === 'rejected') throw cn.reason;
        if (ts.status === 'rejected') throw ts.reason;
      }
      const op = scenario.operation;
      try {
        const up = await this.phase('bring-up: start the load, wait for all peers', groupScope, () =>
          phases.bringUp(ctx),
        );
        // Generators whose peers never came up never get the trigger, so they would not end by themselves.
        if (!up) await Promise.all(ks.map((k) => load.drop(k)));
        else {
          const added = await this.phase(
            'add: trigger route sends, wait for all prefixes and pending_updates 0',
            groupScope,
            () => phases.add(ctx),
          );
          if (added && op.kind === 'add_and_flap') {
            flaps = await this.phase(
              `flap: drop and reconnect the load ${op.flaps} time(s)`,
              groupScope,
              () => phases.flap(ctx, op.flaps),
            );
          }
          if (added && op.kind === 'add_and_churn') {
            churns = await this.phase(
              `churn: withdraw and re-announce ${Math.round(op.share * 100)} % of the prefixes ${op.rounds} time(s)`,
              groupScope,
              () => phases.churn(ctx, op.rounds, op.share),
            );
          }
          if (added && op.kind === 'add_and_hold') {
            await this.phase(`hold: keep routes for ${op.holdSeconds} s`, groupScope, () =>
              phases.hold(ctx, op.holdSeconds),
            );
          }
          // Even after a failed add the hold is ended, so the generators withdraw and exit by themselves.
          await this.phase('delete: end the hold, wait for every prefix to be withdrawn', groupScope, () =>
            phases.withdraw(ctx, added),
          );
        }
      } finally {
        await this.phase('stop: wait for the load to exit, stop what is left', groupScope, () =>
          phases.finish(ctx),
        );
      }
    } finally {
      offEvents();
      offProcesses();
      await Promise.all([
        ...observations.map((o) => o.stop()),
        routerPoller?.stop(),
        sampler?.stop(),
        servers?.stop(),
      ]);
      await load.stop();
    }
    serverProblems.push(...(servers?.errors() ?? []));
    if (serverProblems.length > 0) await report.attachJson('test-server sampling problems', serverProblems);
    const serverSeries = servers?.hosts.map((h) => ({
      name: h.name,
      cores: h.sampler.cores,
      cpu: h.sampler.cpu.points,
      memUsed: h.sampler.memUsed.points,
      processes: [...h.sampler.processes.values()].map((p) => ({
        label: `${p.name} (pid ${p.pid})`,
        cpu: p.cpu.points,
      })),
    }));
    const end = monotonicMs();
    const notes = [...ctx.notes, ...this.phaseNotes];
    // The router holds the whole group's routes: one milestone for every member.
    const target = ctx.router?.target;
    const routerRoutes =
      target === undefined || ctx.marks.addTrigger === undefined
        ? undefined
        : routerPoller?.milestone(target, { after: ctx.marks.addTrigger });
    const results = ks.map((k, i) =>
      this.iterationResult(run, k, iterationOf(k), observations[i]!, ctx, {
        flaps,
        churns,
        sampler,
        testServers: serverSeries,
        routerRoutes,
        notes,
      }),
    );
    for (const r of results) {
      report.recordIteration({
        iteration: r.iteration,
        params: { ...r.params },
        start: ctx.marks.start,
        end,
        startWall,
        endWall: Date.now(),
        marks: archivedMarks(ctx.marks),
        expected: { ...r.expected },
        measurements: r.measurements,
        verdicts: r.verdicts.results,
      });
    }
    const incomplete = results.some((r) => r.notes.length > 0);
    ctx.progress.done(`${incomplete ? 'incomplete' : 'done'}${resultNote(results[0]!.measurements)}`);
    for (const [i, k] of ks.entries()) {
      const o = observations[i]!;
      await report.iterationCharts(iterationOf(k), {
        t0: ctx.marks.start,
        peersUp: o.series.peersUp,
        prefixes: o.series.prefixes,
        pending: o.series.pendingUpdates,
        cpu: i === 0 ? sampler?.cpu.points : undefined,
        testServers: i === 0 ? serverSeries : undefined,
      });
    }
    return results;
  }

  private iterationResult(
    run: number,
    k: number,
    iteration: number,
    o: Observation,
    ctx: phases.PhaseContext<Scope>,
    g: {
      flaps: IterationTimeline['flaps'];
      churns: IterationTimeline['churns'];
      sampler: ProcessSampler | undefined;
      testServers: TestServerChartData[] | undefined;
      routerRoutes: Milestone | undefined;
      notes: string[];
    },
  ): IterationResult {
    const { scenario, thresholds, load } = this.p;
    const expected = load.expected(k);
    const { marks } = ctx;
    const timeline: IterationTimeline = {
      marks: { ...marks },
      milestones: {
        firstPeerUp: o.milestone({ ...firstPeerUp(), after: marks.start }, 'peers'),
        allPeersUp: o.milestone({ ...allPeersUp(expected.peers), after: marks.start }, 'peers'),
        routesComplete:
          marks.addTrigger === undefined
            ? undefined
            : o.milestone(routesComplete(expected.prefixes, marks.addTrigger), 'routes'),
        allWithdrawn:
          marks.deleteTrigger === undefined
            ? undefined
            : o.milestone(allWithdrawn(marks.deleteTrigger), 'routes'),
        routerRoutes: g.routerRoutes,
      },
      flaps: g.flaps,
      churns: g.churns,
      expected,
      cpu: g.sampler?.cpu.points,
      rss: g.sampler?.rss.points,
      testServers: g.testServers,
      cpuOnlyAtPeak: scenario.cpu.onlyAtPeak,
      clockResolutionMs: this.clockResolutionMs,
    };
    const measurements = iterationMetrics(timeline);
    const applicable = thresholds
      .list()
      .filter((t) => scenario.verifyRoutes || !ROUTE_METRICS.has(t.metric as MetricName));
    if (!scenario.verifyRoutes) for (const m of ROUTE_METRICS) delete measurements[m];
    const it = scenario.iterations[k]!;
    const params: IterationParams = {
      run,
      instances: it.instances,
      agents: it.agents,
      routes: it.routes,
      servers: load.generatorHosts,
    };
    return {
      iteration,
      run,
      params,
      expected,
      measurements,
      timeline,
      thresholds: applicable,
      verdicts: checkAll(applicable, measurements, (metric) => this.p.baselineOf?.(metric, params)),
      notes: [...g.notes, ...requestNotes(o, iteration), ...(o.notes?.() ?? [])],
    };
  }

  /** The router's route poller for one group, its series in the group's first iteration. */
  private routerPoller(iteration: number): RouterRoutePoller | undefined {
    const { router, scenario, report } = this.p;
    if (!router || !scenario.router.check) return undefined;
    const meta = {
      source: `router ${router.host.name}`,
      table: router.config.routeTable,
      command: router.config.showRouteSummaryCommand,
    };
    return new RouterRoutePoller(router, {
      makeSeries: (name, unit) => report.series(iteration, name, unit, meta),
    });
  }
}

/** Failed requests are samples the figures were derived without: said, not silently skipped. */
function requestNotes(o: Observation, iteration: number): string[] {
  const r = o.requests();
  if (r.failed === 0) return [];
  return [
    `${r.via}: ${r.failed} of ${r.made} requests failed during iteration ${iteration} (last: ${r.lastError ?? 'unknown'})`,
  ];
}

/** Marks under the archive's names. */
function archivedMarks(m: IterationTimeline['marks']): Record<string, number> {
  const out: Record<string, number> = { start: m.start };
  if (m.bringUpStart !== undefined) out.bring_up_start = m.bringUpStart;
  if (m.addTrigger !== undefined) out.add_trigger = m.addTrigger;
  if (m.feedStart !== undefined) out.add_start = m.feedStart;
  if (m.deleteTrigger !== undefined) out.delete_trigger = m.deleteTrigger;
  return out;
}

/** The last progress line states what the iteration measured. */
function resultNote(m: Measurements): string {
  const s = (name: MetricName, what: string) => {
    const v = m[name];
    return v ? `${what} ${v.value.toFixed(3)} s` : undefined;
  };
  const parts = [
    s('peers_up_time', 'peers up'),
    s('prefix_add_time', 'add'),
    s('reconvergence_time', 'reconverge'),
    s('prefix_delete_time', 'withdraw'),
  ].filter((x) => x !== undefined);
  return parts.length ? `: ${parts.join(', ')}` : '';
}
