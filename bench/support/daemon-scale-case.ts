/**
 * One row of the per-daemon table: N peers x M prefixes against one daemon, through the very session the
 * suites run (DaemonScaleSession: fresh namespaces and daemon, the monitor peer, the native generator,
 * the truth check), plus what the session does not report as such: the daemon's CPU seconds over the run
 * (/proc utime+stime after open and after the run), its resident-set peak (VmHWM, the kernel's own peak
 * over the daemon's life, which is this run) and the generator's injection time (first to last UPDATE
 * written, its own record).
 *
 *   const row = await daemonScaleCase({ kind: 'bird', peers: 10, prefixes: 10_000, archive, runTag, limitS });
 */
import { stringify } from 'yaml';
import { monotonicMs } from '../../lib/clock.ts';
import type { BgpDaemonKind } from '../../lib/daemons/bgp-daemon.ts';
import type { MeasuredValue } from '../../lib/thresholds/metric-catalogue.ts';
import type { RunArchive } from '../../lib/report/run-archive.ts';
import { onInterrupt } from '../../lib/run/interrupt.ts';
import { DaemonScaleSession } from '../../lib/scale/daemon-scale-session.ts';
import { parseScenario } from '../../lib/scenario/load.ts';
import type { ScenarioInput } from '../../lib/scenario/schema.ts';
import { ThresholdSet } from '../../lib/thresholds/threshold-set.ts';
import { cpuSeconds, memory } from './process-usage.ts';

export interface DaemonCaseOptions {
  kind: BgpDaemonKind;
  peers: number;
  /** Per peer. */
  prefixes: number;
  archive: RunArchive;
  runTag: string;
  /** Bound of each phase (peers up, add, withdraw). */
  limitS: number;
}

export interface DaemonCaseRow {
  kind: BgpDaemonKind;
  version: string;
  peers: number;
  prefixes: number;
  peersUp: MeasuredValue | undefined;
  add: MeasuredValue | undefined;
  withdraw: MeasuredValue | undefined;
  cpuS: number;
  rssPeakBytes: number;
  /** The generator's first UPDATE written to its last, over all peers (ms). */
  injectionMs: number | undefined;
  /** Truth-check lines (add, withdraw) and whether all held. */
  truth: { holds: boolean; lines: string[] };
  /** What a wait saw when it gave up, per the session. */
  notes: string[];
  /** Open to close, for the time budget. */
  wallS: number;
}

export async function daemonScaleCase(o: DaemonCaseOptions): Promise<DaemonCaseRow> {
  const t0 = monotonicMs();
  const input: ScenarioInput = {
    name: `bench-${o.kind}-${o.peers}x${o.prefixes}`,
    iterations: [{ instances: 1, agents: o.peers, routes: o.prefixes }],
    bgpDaemon: { duts: [o.kind], mode: 'distinct' },
    vns: { create: false },
    bgpStress: {
      timeouts: {
        peersUpSeconds: o.limitS,
        routesAddSeconds: o.limitS,
        routesDeleteSeconds: o.limitS,
        exitSeconds: 30,
      },
    },
    operation: { kind: 'add' },
  };
  const loaded = {
    file: 'bench',
    scenario: parseScenario(stringify(input), 'bench'),
    thresholds: ThresholdSet.from({ defaults: {} }),
  };
  const session = await DaemonScaleSession.open({
    kind: o.kind,
    loaded,
    archive: o.archive,
    runTag: o.runTag,
  });
  // Ctrl-C ends the process without running finally blocks: close from the handler too (idempotent).
  const unregister = onInterrupt(async () => {
    await session.close();
  });
  try {
    const pid = session.dut.daemon.pid;
    if (pid === undefined) throw new Error(`${o.kind}: the daemon has no pid after the session opened`);
    const cpuBefore = cpuSeconds(pid);
    const version = await session.dut.version();
    const { result, bounds } = await session.run();
    // Read before close() stops the daemon.
    const cpuS = cpuSeconds(pid) - cpuBefore;
    const { peakBytes } = memory(pid);
    const it = result.iterations[0];
    if (!it) throw new Error(`${o.kind}: the session returned no iteration`);
    const announce = session.load.peerRecords.get(0)?.[0] ?? [];
    const first = announce.map((r) => r.firstUpdateWritten).filter((t): t is number => t !== null);
    const last = announce.map((r) => r.lastUpdateWritten).filter((t): t is number => t !== null);
    const b = bounds[0] ?? [];
    return {
      kind: o.kind,
      version,
      peers: o.peers,
      prefixes: o.prefixes,
      peersUp: it.measurements.peers_up_time,
      add: it.measurements.prefix_add_time,
      withdraw: it.measurements.prefix_delete_time,
      cpuS,
      rssPeakBytes: peakBytes,
      injectionMs: first.length && last.length ? Math.max(...last) - Math.min(...first) : undefined,
      truth: { holds: b.length === 2 && b.every((x) => x.holds), lines: b.map((x) => x.line) },
      notes: it.notes,
      wallS: (monotonicMs() - t0) / 1000,
    };
  } finally {
    const errors = await session.close();
    unregister();
    if (errors.length) process.stderr.write(`${o.kind} teardown: ${errors.join('; ')}\n`);
  }
}
