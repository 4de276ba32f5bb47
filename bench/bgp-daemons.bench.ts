/**
 * Real BGP daemons under the native generator, as root (network namespaces):
 *
 * 1. Per daemon (GoBGP, BIRD 2, FRR), 10 peers x 10,000 prefixes and 10 x 100,000, each in fresh
 *    namespaces with a fresh daemon through the suites' own DaemonScaleSession (monitor peer, truth
 *    check): peers up, add convergence and withdraw as the session measures them (with resolution), the
 *    daemon's CPU seconds (/proc utime+stime over the run), its RSS peak (VmHWM) and the generator's
 *    injection time (its own first to last UPDATE written). The larger size is skipped, with the reason
 *    printed, when MemAvailable is below 10 x the smaller size's daemon peak + 1 GiB, or when 10 x the
 *    smaller size's time would overrun the time budget.
 * 2. Injectors on one DUT (BIRD 2: the usual baseline and the only one of the three that stamps every
 *    route with its own millisecond time), same 10 x 10,000 prefixes, fresh namespaces and DUT for each:
 *    netscale bgp-load vs ExaBGP (bgperf's tester) vs a BIRD per peer feeding static routes (bgperf2's
 *    default tester). From Established (BIRD's own record) to the last UPDATE at the DUT's host (kernel
 *    lastrcv: the injector's speed) and to the last route in the DUT's table (BIRD's own route times: what
 *    the DUT did), for the whole load (first session up to the last session's moment: the headline) and
 *    per session (the slowest session's own span); median of BENCH_REPEATS runs.
 *
 * Goals, printed and not enforced (a shared 2-core machine moves every figure): ours >= 10x faster than
 * ExaBGP and faster than BIRD on the wire, and injection <= 10 % of add convergence on every daemon.
 * Exits non-zero when a case fails or a truth check does not hold. Everything it starts (namespaces,
 * daemons, injectors) is stopped and deleted at the end, on error and on Ctrl-C.
 *
 *   npx tsx bench/bgp-daemons.bench.ts                 # everything (about 15-25 min on 2 cores)
 *   BENCH_QUICK=1 npx tsx bench/bgp-daemons.bench.ts   # 10 x 10,000 only, one run per injector
 *   env: BENCH_DAEMONS=gobgp,bird,frr  BENCH_BUDGET_S=1800  BENCH_REPEATS=3
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicMs } from '../lib/clock.ts';
import { BGP_DAEMON_KINDS, type BgpDaemonKind } from '../lib/daemons/bgp-daemon.ts';
import { namespacesUsable } from '../lib/daemons/netns-topology.ts';
import { requireDaemon } from '../lib/daemons/require-daemon.ts';
import { LocalHost } from '../lib/hosts/local-host.ts';
import { DAEMON_NAMESPACE_PREFIX, reapLeftoverNamespaces } from '../lib/hosts/netns-keeper.ts';
import { RunArchive } from '../lib/report/run-archive.ts';
import { onInterrupt } from '../lib/run/interrupt.ts';
import { BirdStaticInjector } from './support/bird-static-injector.ts';
import { daemonScaleCase, type DaemonCaseRow } from './support/daemon-scale-case.ts';
import { EXABGP_INSTALL, ExabgpInjector, findExabgp } from './support/exabgp-injector.ts';
import { injectionRace, type RaceResult } from './support/injection-race.ts';
import type { Injector } from './support/injector.ts';
import { NativeInjector } from './support/native-injector.ts';
import { memAvailableBytes } from './support/process-usage.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
const PEERS = 10;
const SMALL = 10_000;
const LARGE = 100_000;
const BUDGET_S = Number(process.env['BENCH_BUDGET_S'] ?? 1800);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? (QUICK ? 1 : 3));
const DAEMONS = (process.env['BENCH_DAEMONS']?.split(',') ?? BGP_DAEMON_KINDS) as BgpDaemonKind[];
for (const [name, v] of [
  ['BENCH_BUDGET_S', BUDGET_S],
  ['BENCH_REPEATS', REPEATS],
] as const)
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`${name}: expected a positive integer, found ${v}`);
for (const d of DAEMONS)
  if (!BGP_DAEMON_KINDS.includes(d))
    throw new Error(`BENCH_DAEMONS: ${d} is not one of ${BGP_DAEMON_KINDS.join(', ')}`);
/** Bound of each phase: a case fails rather than hang. */
const PHASE_LIMIT_S = { [SMALL]: 180, [LARGE]: 900 } as Record<number, number>;
const GIB = 2 ** 30;

const started = monotonicMs();
const elapsedS = () => (monotonicMs() - started) / 1000;
const progress = (line: string) => process.stderr.write(`[${elapsedS().toFixed(0)} s] ${line}\n`);
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

if (!(await namespacesUsable()))
  throw new Error(
    'bench/bgp-daemons.bench.ts: needs root and iproute2 with netns support (it runs daemons in network namespaces); run it as root',
  );
for (const kind of new Set<BgpDaemonKind>([...DAEMONS, 'bird'])) await requireDaemon(kind);
const root = new LocalHost({ name: 'bench', runTag: `bench-bgp-daemons-${process.pid}` });
// Namespaces a crashed earlier run left behind (their keeper is gone).
await reapLeftoverNamespaces(root, DAEMON_NAMESPACE_PREFIX);

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-bench-daemons-'));
const runTag = `bench-daemons-${process.pid}-${Date.now()}`;
const problems: string[] = [];
const rows: DaemonCaseRow[] = [];
const skipped: string[] = [];
const races = new Map<string, RaceResult[]>();
// Each case tears itself down on Ctrl-C (its own handler); this one keeps a torn-down case's error from
// starting the next case before the process exits, and removes the scratch reports.
let interrupted = false;
const unregister = onInterrupt(async () => {
  interrupted = true;
  rmSync(reportsRoot, { recursive: true, force: true });
});
const stopIfInterrupted = () => {
  if (interrupted) throw new Error('interrupted');
};
try {
  const archive = await RunArchive.open({ runId: runTag, root: reportsRoot });
  const runCase = async (kind: BgpDaemonKind, prefixes: number) => {
    stopIfInterrupted();
    progress(`${kind}: ${PEERS} peers x ${prefixes} prefixes`);
    try {
      const row = await daemonScaleCase({
        kind,
        peers: PEERS,
        prefixes,
        archive,
        runTag,
        limitS: PHASE_LIMIT_S[prefixes]!,
      });
      rows.push(row);
      if (!row.truth.holds) problems.push(`${kind} ${PEERS} x ${prefixes}: truth check failed`);
      for (const n of row.notes) problems.push(`${kind} ${PEERS} x ${prefixes}: ${n}`);
      return row;
    } catch (err) {
      problems.push(`${kind} ${PEERS} x ${prefixes}: ${errorText(err)}`);
      return undefined;
    }
  };

  const small = new Map<BgpDaemonKind, DaemonCaseRow | undefined>();
  for (const kind of DAEMONS) small.set(kind, await runCase(kind, SMALL));

  // Injector comparison on BIRD.
  const exabgp = await findExabgp(root);
  const birdBin = (await requireDaemon('bird')).daemon;
  const injectors: Array<() => Injector> = [
    () => new NativeInjector(),
    ...(exabgp ? [() => new ExabgpInjector(exabgp)] : []),
    () => new BirdStaticInjector(birdBin),
  ];
  if (!exabgp)
    skipped.push(`ExaBGP injector: exabgp is not installed; install it as root: ${EXABGP_INSTALL}`);
  for (let r = 0; r < REPEATS; r++)
    for (const make of injectors) {
      stopIfInterrupted();
      const injector = make();
      progress(`injector ${injector.name} into BIRD, run ${r + 1} of ${REPEATS}`);
      try {
        const result = await injectionRace({
          injector,
          peers: PEERS,
          prefixes: SMALL,
          runTag,
          timeoutMs: 600_000,
        });
        races.set(injector.name, [...(races.get(injector.name) ?? []), result]);
      } catch (err) {
        problems.push(`injector ${injector.name}: ${errorText(err)}`);
      }
    }

  if (QUICK) skipped.push(`${PEERS} x ${LARGE} on every daemon: BENCH_QUICK=1`);
  else
    for (const kind of DAEMONS) {
      const base = small.get(kind);
      if (!base) {
        skipped.push(`${kind} ${PEERS} x ${LARGE}: its ${PEERS} x ${SMALL} case failed`);
        continue;
      }
      const needBytes = 10 * base.rssPeakBytes + GIB;
      const available = memAvailableBytes();
      if (available < needBytes) {
        skipped.push(
          `${kind} ${PEERS} x ${LARGE}: MemAvailable ${(available / GIB).toFixed(1)} GiB < ${(needBytes / GIB).toFixed(1)} GiB ` +
            `(10 x the ${SMALL} case's daemon peak + 1 GiB for generator and monitor)`,
        );
        continue;
      }
      const estimateS = 10 * base.wallS;
      if (elapsedS() + estimateS > BUDGET_S) {
        skipped.push(
          `${kind} ${PEERS} x ${LARGE}: time budget: ${elapsedS().toFixed(0)} s spent + about ${estimateS.toFixed(0)} s ` +
            `(10 x the ${SMALL} case) > BENCH_BUDGET_S=${BUDGET_S}`,
        );
        continue;
      }
      await runCase(kind, LARGE);
    }
} finally {
  unregister();
  rmSync(reportsRoot, { recursive: true, force: true });
  await root.close();
}

// ---- report ----
const s = (v: { value: number; resolution?: number } | undefined) =>
  v ? `${v.value.toFixed(3)} ±${(v.resolution ?? NaN).toFixed(3)}` : '-';
const shareOf = (r: DaemonCaseRow) =>
  r.injectionMs !== undefined && r.add ? (100 * r.injectionMs) / (r.add.value * 1000) : undefined;
console.log(
  `BGP daemons, ${PEERS} peers x N prefixes each (distinct /24s), fresh namespaces and daemon per row; ` +
    `times in s ± the session's resolution; CPU from /proc utime+stime (±0.01 s); RSS peak = VmHWM. ` +
    `Shared 2-core machine: figures are noisy.`,
);
console.table(
  rows.map((r) => ({
    daemon: r.version,
    prefixes: `${r.peers} x ${r.prefixes}`,
    'peers up s': s(r.peersUp),
    'add s': s(r.add),
    'withdraw s': s(r.withdraw),
    'CPU s': r.cpuS.toFixed(2),
    'RSS peak MiB': (r.rssPeakBytes / 2 ** 20).toFixed(0),
    'injection ms': r.injectionMs?.toFixed(0) ?? '-',
    'injection % of add': shareOf(r)?.toFixed(1) ?? '-',
    truth: r.truth.holds ? 'holds' : 'FAILED',
  })),
);
for (const r of rows) console.log(`  ${r.kind} ${r.peers} x ${r.prefixes}: ${r.truth.lines.join('; ')}`);

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const medianOf = (name: string, pick: (r: RaceResult) => number) => {
  const rs = races.get(name);
  return rs?.length ? median(rs.map(pick)) : undefined;
};
console.log(
  `\nInjectors into BIRD 2 (fresh namespaces and DUT per run), ${PEERS} x ${SMALL} prefixes, median of ${REPEATS} run(s) [min..max]. ` +
    `From Established (BIRD's own time, 1 ms) to "wire": the last UPDATE at the DUT's host (kernel lastrcv, ± ss between two clock reads in the DUT namespace + 4 ms; a session whose lastrcv a later segment moved, such as ExaBGP's End-of-RIB, is taken at its last route's RIB time and counted), ` +
    `and to "RIB": the last route in BIRD's table (BIRD's route times, 1 ms); "load": from the first session up to the last session's moment, ` +
    `"per session": each session's own span, the slowest. ` +
    `The poll (show route count over BIRD's socket) only decides when to read; its gaps while BIRD works are shown.`,
);
const range = (rs: RaceResult[], pick: (r: RaceResult) => number) =>
  `${median(rs.map(pick)).toFixed(0)} [${Math.min(...rs.map(pick)).toFixed(0)}..${Math.max(...rs.map(pick)).toFixed(0)}]`;
const ownRecord = (rs: RaceResult[]) => {
  const own = rs.map((r) => r.own).filter((o) => o !== undefined);
  if (own.length === 0) return '-';
  const m = (pick: (o: (typeof own)[number]) => number) => median(own.map(pick)).toFixed(0);
  return `${m((o) => o.encodeMs ?? NaN)}, ${m((o) => o.firstWriteMs)}..${m((o) => o.lastWriteMs)}`;
};
console.table(
  [...races.entries()].map(([name, rs]) => ({
    injector: name,
    'wire ms: load': range(rs, (r) => r.wireMs.load),
    'per session': range(rs, (r) => r.wireMs.session),
    'wire ± ms': Math.max(...rs.map((r) => r.wireResolutionMs)).toFixed(0),
    'sessions at RIB time': Math.max(...rs.map((r) => r.wireAtRib)),
    'RIB ms: load': range(rs, (r) => r.ribMs.load),
    'per session ': range(rs, (r) => r.ribMs.session),
    'sessions up spread ms': range(rs, (r) => r.establishSpreadMs),
    'poll gap median/max ms': `${median(rs.map((r) => r.pollGapMs.median)).toFixed(1)} / ${Math.max(...rs.map((r) => r.pollGapMs.max)).toFixed(0)}`,
    'own record: encode, first..last write ms': ownRecord(rs),
  })),
);
for (const line of skipped) console.log(`skipped: ${line}`);
for (const p of problems) console.error(`problem: ${p}`);

const ratioOf = (name: string, pick: (r: RaceResult) => number) => {
  const ours = medianOf('netscale bgp-load', pick);
  const theirs = medianOf(name, pick);
  return ours !== undefined && theirs !== undefined ? theirs / Math.max(ours, 1) : undefined;
};
// The headline: the whole load on the wire, from the first session up to the last UPDATE at the DUT.
const ratio = (name: string) => ratioOf(name, (r) => r.wireMs.load);
const ribRatio = (name: string) => ratioOf(name, (r) => r.ribMs.load);
const sessionRatio = (name: string) => ratioOf(name, (r) => r.wireMs.session);
const x = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
const shares = rows.map(shareOf).filter((v): v is number => v !== undefined);
const maxShare = shares.length ? Math.max(...shares) : undefined;
const vsExa = ratio('ExaBGP');
const vsBird = ratio('BIRD static');
console.log(
  `goals (not enforced): vs ExaBGP >= 10x: ${vsExa === undefined ? 'n/a' : vsExa >= 10 ? 'met' : 'NOT met'}; ` +
    `faster than BIRD: ${vsBird === undefined ? 'n/a' : vsBird > 1 ? 'met' : 'NOT met'}; ` +
    `injection <= 10 % of add on every daemon: ${maxShare === undefined ? 'n/a' : maxShare <= 10 ? 'met' : 'NOT met'}. ` +
    `Per session on the wire: ${x(sessionRatio('ExaBGP'))}x and ${x(sessionRatio('BIRD static'))}x; ` +
    `in the DUT's table (RIB, whole load): ${x(ribRatio('ExaBGP'))}x and ${x(ribRatio('BIRD static'))}x, where the DUT's own pace dominates.`,
);
if (problems.length) process.exitCode = 1;
console.log(
  `injector speed-up vs ExaBGP: ${x(vsExa)}x, vs BIRD: ${x(vsBird)}x; injection share of convergence: ${maxShare === undefined ? 'n/a' : maxShare.toFixed(1)} %`,
);
