/**
 * A BGP scale scenario against a real daemon (GoBGP, BIRD 2 or FRR), from setup to teardown: a topology
 * (network namespaces as root, loopback otherwise), the daemon configured with one neighbor per generator
 * peer plus the monitor, the monitor peer (`netscale bgp-monitor`, a second observer the poller cannot
 * see), the native generator as the load; then the same ScaleSession as a control node gets (phases,
 * thresholds, archive, Allure); then the truth check of every add and withdraw against the generator's
 * and the monitor's own records; then everything stopped and deleted in reverse order.
 *
 *   const s = await DaemonScaleSession.open({ kind: 'bird', loaded, archive, runTag });
 *   try { const { result, bounds } = await s.run(); } finally { await s.close(); }
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { BgpProcess } from '../bgpload/bgp-process.ts';
import type { PeerRecord } from '../bgpload/peer-record.ts';
import type { BgpMonitorSpecInput } from '../bgpload/spec.ts';
import type { BgpDaemonKind, BgpDaemonStartOptions } from '../daemons/bgp-daemon.ts';
import { createBgpDaemon } from '../daemons/create-bgp-daemon.ts';
import { createTopology } from '../daemons/create-topology.ts';
import { requireDaemon } from '../daemons/require-daemon.ts';
import { BgpDaemonDut, type DaemonScope } from '../dut/bgp-daemon-dut.ts';
import { NativeBgpLoad, generatorNeighbors, lastPrefixes } from '../load/native-bgp-load.ts';
import type { RunArchive } from '../report/run-archive.ts';
import { ScenarioReport } from '../report/scenario-report.ts';
import type { LoadedScenario } from '../scenario/loaded-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import { convergenceBounds, type ConvergenceBounds } from './convergence-bounds.ts';
import { ScaleSession, type ScaleResult } from './scale-session.ts';
import { Teardown } from './teardown.ts';

/** The monitor peer's AS (a private one no generator peer uses). */
export const MONITOR_AS = 65535;
const READY_TIMEOUT_MS = 60_000;

export interface DaemonScaleOptions {
  kind: BgpDaemonKind;
  loaded: LoadedScenario;
  archive: RunArchive;
  /** Run id every process is tagged with. */
  runTag: string;
  signal?: AbortSignal;
}

export interface DaemonScaleResult {
  result: ScaleResult;
  /** Per iteration, the add's and the withdraw's truth check. */
  bounds: ConvergenceBounds[][];
}

/** The monitor's count now: its latest count line (0 before any). */
function monitorCount(monitor: BgpProcess): number {
  for (let i = monitor.events.length - 1; i >= 0; i--) {
    const e = monitor.events[i]!;
    if (e.event === 'count') return e.count;
  }
  return 0;
}

/**
 * After a phase that leaves the daemon holding every prefix (add, flap, churn) or none (delete), waits
 * until the monitor sees the same, so the next phase does not start before the daemon has re-advertised
 * (a daemon may hold its updates back a while, e.g. FRR's coalesce time, and a withdraw sent before they
 * leave would cancel them unseen). Bounded: a monitor that never gets there is a note of the iteration.
 */
async function monitorSettles(
  monitor: BgpProcess,
  load: NativeBgpLoad,
  phase: string,
  timeoutS: number,
): Promise<string | undefined> {
  const label = phase.split(':')[0]!;
  const k = load.current;
  if (k === undefined) return;
  const target =
    label === 'delete' ? 0 : ['add', 'flap', 'churn'].includes(label) ? load.expected(k).prefixes : undefined;
  if (target === undefined) return;
  const settled = await runAndExpect(() => monitorCount(monitor) === target, true, {
    timeoutMs: timeoutS * 1000,
    intervalMs: 20,
    what: `the monitor peer holding ${target} prefixes after ${label}`,
  });
  return settled.ok
    ? undefined
    : `${label}: ${timeoutS} s after the phase the monitor peer held ${monitorCount(monitor)} prefixes, not ${target}`;
}

/**
 * The prefixes a daemon that stamps them itself (FRR, BIRD) is told to watch: the last of each peer in every
 * iteration, so its own record times add and withdraw. None with shared prefixes (every peer's last is
 * the same one) or when the scenario turns the record off.
 */
export function watchPrefixes(s: Scenario): string[] {
  const settings = s.bgpDaemon;
  if (!settings || settings.mode !== 'distinct' || !settings.ownRecord) return [];
  return [...new Set(s.iterations.flatMap((it) => lastPrefixes(it)))];
}

export class DaemonScaleSession {
  private constructor(
    readonly dut: BgpDaemonDut,
    readonly load: NativeBgpLoad,
    readonly monitor: BgpProcess,
    readonly report: ScenarioReport,
    private readonly session: ScaleSession<DaemonScope>,
    private readonly teardown: Teardown,
  ) {}

  static async open(o: DaemonScaleOptions): Promise<DaemonScaleSession> {
    // One archive holds every daemon's run of a scenario: each is a scenario of its own there and in the history.
    const s = { ...o.loaded.scenario, name: `${o.loaded.scenario.name}-${o.kind}` };
    const settings = s.bgpDaemon;
    if (!settings)
      throw new Error(
        `scenario ${o.loaded.file}: bgpDaemon: expected the section of a scenario against BGP daemons`,
      );
    if (!settings.duts.includes(o.kind))
      throw new Error(
        `scenario ${o.loaded.file}: bgpDaemon.duts: ${o.kind} is not one of ${settings.duts.join(', ')}`,
      );
    await requireDaemon(o.kind);
    const teardown = new Teardown();
    try {
      const peers = Math.max(...s.iterations.map((it) => it.agents));
      const topology = await createTopology({ peers, runTag: o.runTag });
      teardown.push('delete the topology', () => topology.delete());
      const daemon = createBgpDaemon(o.kind);
      const startOptions: BgpDaemonStartOptions = {
        topology,
        localAs: settings.localAs,
        peers: generatorNeighbors(s, topology),
        monitor: { address: topology.monitorAddress, as: MONITOR_AS },
        holdTimeSeconds: settings.holdTimeSeconds,
        watchPrefixes: watchPrefixes(s),
      };
      const started = await daemon.start(startOptions);
      teardown.push(`stop ${o.kind}`, () => daemon.stop());
      const dut = new BgpDaemonDut(daemon, startOptions, started);
      const logDir = join(o.archive.dir, 'logs', s.name);
      const load = new NativeBgpLoad({ scenario: s, settings, topology, dut: started, logDir });
      teardown.push('stop the generators', () => load.stop());
      // GoBGP's record is timed by probes from the generator's peers (lib/daemons/gobgp-route-record.ts).
      daemon.probeFrom?.(
        startOptions.peers.map((p) => p.address),
        (peer, prefix) => load.probe(peer, prefix),
      );

      const monitorSpec: BgpMonitorSpecInput = {
        dut: { address: started.address, port: started.port, as: started.localAs },
        monitor: { address: topology.monitorAddress, as: MONITOR_AS },
        families: ['ipv4'],
        holdTimeSeconds: settings.holdTimeSeconds,
      };
      const monitorSpecFile = join(logDir, 'bgp-monitor.spec.json');
      writeFileSync(monitorSpecFile, JSON.stringify(monitorSpec, null, 2));
      const monitorLog = join(logDir, 'bgp-monitor.log');
      load.logFiles.push(monitorLog);
      const monitor = await BgpProcess.start(
        topology.peersHost,
        'bgp-monitor',
        monitorSpecFile,
        'bgp-monitor',
        undefined,
        monitorLog,
      );
      teardown.push('stop the monitor', () => monitor.handle.stop({ graceMs: 2000 }).then(() => undefined));
      await monitor.next((e) => e.event === 'ready', READY_TIMEOUT_MS);

      const report = await ScenarioReport.open(o.archive, {
        scenario: s,
        lab: `${o.kind}-${topology.kind}`,
        dutVersion: await dut.version(),
        servers: ['peers'],
      });
      teardown.push('finish the report', () => report.finish());
      const session = new ScaleSession({
        scenario: s,
        thresholds: o.loaded.thresholds,
        dut,
        load,
        report,
        signal: o.signal,
        afterPhase: (phase) => monitorSettles(monitor, load, phase, s.bgpStress.timeouts.routesAddSeconds),
      });
      return new DaemonScaleSession(dut, load, monitor, report, session, teardown);
    } catch (err) {
      await teardown.run();
      throw err;
    }
  }

  /** The monitor's read time of the first UPDATE after `from` that made its count meet `reached`. */
  private monitorTime(from: number, reached: (count: number) => boolean): number | undefined {
    for (const e of this.monitor.events)
      if (e.event === 'count' && e.t >= from && reached(e.count)) return e.t;
    return undefined;
  }

  async run(): Promise<DaemonScaleResult> {
    const result = await this.session.run();
    const bounds = result.iterations.map((it, k) => {
      const reads = this.load.peerRecords.get(k) ?? [];
      // The add is the first announce's; the withdraw the last process's (after any flap).
      const latest = (records: PeerRecord[] | undefined, pick: (r: PeerRecord) => number | null) => {
        const ts = (records ?? []).map(pick).filter((t): t is number => t !== null);
        return ts.length ? Math.max(...ts) : undefined;
      };
      const { marks, milestones } = it.timeline;
      const out: ConvergenceBounds[] = [];
      if (marks.addTrigger !== undefined)
        out.push(
          convergenceBounds({
            phase: 'add',
            trigger: marks.addTrigger,
            lastWritten: latest(reads[0], (r) => r.lastUpdateWritten),
            lastHanded: latest(reads[0], (r) => r.lastUpdateHanded),
            measured: milestones.routesComplete,
            monitor: this.monitorTime(marks.addTrigger, (c) => c >= it.expected.prefixes),
          }),
        );
      if (marks.deleteTrigger !== undefined)
        out.push(
          convergenceBounds({
            phase: 'withdraw',
            trigger: marks.deleteTrigger,
            lastWritten: latest(reads.at(-1), (r) => r.lastWithdrawWritten),
            lastHanded: latest(reads.at(-1), (r) => r.lastWithdrawHanded),
            measured: milestones.allWithdrawn,
            monitor: this.monitorTime(marks.deleteTrigger, (c) => c === 0),
          }),
        );
      return out;
    });
    await this.report.attachJson(
      'truth check: generator, daemon, monitor',
      bounds.map((b, k) => ({ iteration: k + 1, lines: b.map((x) => x.line) })),
    );
    return { result, bounds };
  }

  close(): Promise<string[]> {
    return this.teardown.run();
  }
}
