/**
 * What netscale itself costs while it waits on a converged lab: an embedded lab with routes converged
 * is held (add_and_hold) while the session's introspect poller and the control node's CPU/RSS sampler
 * run, and over the hold this bench reads the CPU and RSS of netscale's own processes:
 *  - this node process (the session and its introspect poller live here), process.cpuUsage();
 *  - the CPU sampler's shell loop netscale spawns on the lab host (tagged with the run id, command line
 *    `/bin/sh -c p=<pid>`), utime+stime+cutime+cstime of /proc/<pid>/stat, so its `sleep`s count too.
 * Not the emulated control node, not bgp_stress_test: they are the lab.
 *
 * The hold is measured from the end of the add phase (every prefix in, pending_updates 0) to the end
 * of the hold phase, on the monotonic clock. RSS (node + sampler loop) is read every RSS_EVERY_MS and
 * its slope is a least-squares fit. Goals (printed, not enforced): CPU <= 2 % of one core, slope ~ 0.
 *
 * Run: npx tsx bench/framework-overhead.bench.ts   (env BENCH_HOLD_SECONDS, default 130)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { monotonicMs } from '../lib/clock.ts';
import { listTaggedProcesses } from '../lib/hosts/reaper.ts';
import type { Lab } from '../lib/lab/lab.ts';
import { runEmbeddedScale } from './embedded-scale.ts';

const HOLD_S = Number(process.env['BENCH_HOLD_SECONDS'] ?? 130);
if (!(HOLD_S > 0)) {
  throw new Error(`BENCH_HOLD_SECONDS: expected seconds > 0, found ${process.env['BENCH_HOLD_SECONDS']}`);
}
const SHAPE = { instances: 1, agents: 20, routes: 50 };
const CPU_SAMPLE_MS = 250;
const RSS_EVERY_MS = 2000;
const CPU_GOAL_PERCENT = 2;
/** The sampler loop's script begins with the sampled pid (lib/measure/process-sampler.ts). */
const SAMPLER_LOOP_PREFIX = '/bin/sh -c p=';

const clockTickMs = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU ticks of a process from /proc/<pid>/stat: its own and those of its reaped children. */
interface ProcTicks {
  own: number;
  children: number;
  ppid: number;
}

function procTicks(pid: number): ProcTicks {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm) ": state 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14 (proc(5) 3, 4, 14-17).
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const [ppid, utime, stime, cutime, cstime] = [f[1], f[11], f[12], f[13], f[14]];
  if ([ppid, utime, stime, cutime, cstime].some((v) => v === undefined || Number.isNaN(v))) {
    throw new Error(`/proc/${pid}/stat: expected ppid, utime, stime, cutime, cstime, found: ${stat.trim()}`);
  }
  return { own: utime! + stime!, children: cutime! + cstime!, ppid: ppid! };
}

/** VmRSS of a process in bytes. */
function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status: expected a VmRSS line`);
  return Number(m[1]) * 1024;
}

/** Children of a process, by their ppid in /proc/<pid>/stat. */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (procTicks(Number(d)).ppid === parent) out.push(Number(d));
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/** The CPU sampler's loop of this run, on the embedded lab's host (this machine). */
async function samplerLoopPid(lab: Lab): Promise<number> {
  const host = lab.controlNodes[0]?.host;
  if (!host || host.address !== 'local') {
    throw new Error(`lab ${lab.name}: expected the embedded lab's control node on the local host`);
  }
  const loops = (await listTaggedProcesses(host)).filter(
    (p) => p.runTag === lab.runId && p.command.startsWith(SAMPLER_LOOP_PREFIX),
  );
  if (loops.length !== 1) {
    throw new Error(
      `${host.name}: expected one process tagged ${lab.runId} running '${SAMPLER_LOOP_PREFIX}<pid>', found ` +
        (loops.map((p) => `${p.pid} ${p.command}`).join('; ') || 'none'),
    );
  }
  return loops[0]!.pid;
}

interface RssPoint {
  tMs: number;
  bytes: number;
}

/** Least-squares slope of bytes over time in KiB/min, with its standard error. */
function rssSlope(points: readonly RssPoint[]): { kibPerMin: number; stdErr: number } {
  const xs = points.map((p) => p.tMs / 60_000);
  const ys = points.map((p) => p.bytes / 1024);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const slope = sxy / sxx;
  const sse = ys.reduce((a, y, i) => a + (y - my - slope * (xs[i]! - mx)) ** 2, 0);
  return { kibPerMin: slope, stdErr: n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : NaN };
}

/** Counters at one instant of the hold. */
interface Reading {
  tMs: number;
  node: NodeJS.CpuUsage;
  loop: ProcTicks;
  /** The sampler's guard shell and its watcher subshell (not in the figure). */
  guards: number;
  load: string;
}

interface HoldResult {
  spanMs: number;
  loopPid: number;
  guardCount: number;
  nodeUserMs: number;
  nodeSystemMs: number;
  nodePercent: number;
  loopOwnMs: number;
  loopChildrenMs: number;
  loopPercent: number;
  guardsPercent: number;
  /** One tick of one counter over the span, in % of one core. */
  tickPercent: number;
  rss: RssPoint[];
  slope: { kibPerMin: number; stdErr: number };
  /** Over the second half of the hold only: the first half may still return the add phase's heap. */
  lateSlope: { kibPerMin: number; stdErr: number };
  /** 1-minute load average of this machine at the start and end of the hold (a shared machine inflates CPU). */
  load: [string, string];
}

class HoldMeter {
  private start: Reading | undefined;
  private end: Reading | undefined;
  private readonly rss: RssPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loopPid = 0;
  private guardPids: number[] = [];

  async begin(lab: Lab): Promise<void> {
    this.loopPid = await samplerLoopPid(lab);
    const guard = procTicks(this.loopPid).ppid;
    this.guardPids = [guard, ...childrenOf(guard).filter((p) => p !== this.loopPid)];
    this.start = this.read();
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), RSS_EVERY_MS);
  }

  finish(): void {
    if (!this.start || this.end) return;
    this.stopTimer();
    this.end = this.read();
    this.sampleRss();
  }

  stopTimer(): void {
    clearInterval(this.timer);
  }

  private read(): Reading {
    const tMs = monotonicMs();
    const guards = this.guardPids.reduce((a, p) => {
      const t = procTicks(p);
      return a + t.own + t.children;
    }, 0);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
    return { tMs, node: process.cpuUsage(), loop: procTicks(this.loopPid), guards, load };
  }

  private sampleRss(): void {
    this.rss.push({ tMs: monotonicMs(), bytes: process.memoryUsage.rss() + rssBytes(this.loopPid) });
  }

  result(): HoldResult | undefined {
    const { start, end } = this;
    if (!start || !end) return undefined;
    const spanMs = end.tMs - start.tMs;
    const pct = (cpuMs: number) => (cpuMs / spanMs) * 100;
    const nodeUserMs = (end.node.user - start.node.user) / 1000;
    const nodeSystemMs = (end.node.system - start.node.system) / 1000;
    const loopOwnMs = (end.loop.own - start.loop.own) * clockTickMs;
    const loopChildrenMs = (end.loop.children - start.loop.children) * clockTickMs;
    return {
      spanMs,
      loopPid: this.loopPid,
      guardCount: this.guardPids.length,
      nodeUserMs,
      nodeSystemMs,
      nodePercent: pct(nodeUserMs + nodeSystemMs),
      loopOwnMs,
      loopChildrenMs,
      loopPercent: pct(loopOwnMs + loopChildrenMs),
      guardsPercent: pct((end.guards - start.guards) * clockTickMs),
      tickPercent: pct(clockTickMs),
      rss: this.rss,
      slope: rssSlope(this.rss),
      lateSlope: rssSlope(this.rss.filter((p) => p.tMs >= (start.tMs + end.tMs) / 2)),
      load: [start.load, end.load],
    };
  }
}

const meter = new HoldMeter();
const run = await runEmbeddedScale(
  {
    name: 'framework-overhead',
    iterations: [SHAPE],
    operation: { kind: 'add_and_hold', holdSeconds: HOLD_S },
    cpu: { intervalMs: CPU_SAMPLE_MS },
  },
  {
    afterPhase: async (phase, lab) => {
      if (phase.startsWith('add:')) await meter.begin(lab);
      else if (phase.startsWith('hold:')) meter.finish();
    },
  },
).finally(() => meter.stopTimer());

const r = meter.result();
if (run.failures.length) console.log(run.failures.join('\n'));
if (r) report(r, run.iterations[0]!.expected.prefixes);
else {
  console.log('netscale while waiting: not measured (the routes did not converge, so there was no hold)');
  process.exitCode = 1;
}

function report(r: HoldResult, prefixes: number): void {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const f2 = (v: number) => v.toFixed(2);
  const rssFirst = r.rss[0]!;
  const rssLast = r.rss[r.rss.length - 1]!;
  const total = r.nodePercent + r.loopPercent;
  console.log(
    `lab: embedded, ${SHAPE.instances} instance x ${SHAPE.agents} agents x ${SHAPE.routes} routes = ${prefixes} prefixes;` +
      ` CPU/RSS sampler every ${CPU_SAMPLE_MS} ms, introspect poller in its idle back-off`,
  );
  console.log(
    `hold: ${HOLD_S} s asked, ${(r.spanMs / 1000).toFixed(2)} s measured (monotonic, end of add to end of hold)`,
  );
  console.log(
    `node (session, introspect poller): ${f2(r.nodePercent)} % of one core` +
      ` (user ${(r.nodeUserMs / 1000).toFixed(3)} s, system ${(r.nodeSystemMs / 1000).toFixed(3)} s)`,
  );
  console.log(
    `CPU sampler loop (pid ${r.loopPid}, with its children): ${f2(r.loopPercent)} % of one core` +
      ` (own ${(r.loopOwnMs / 1000).toFixed(2)} s, children ${(r.loopChildrenMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `not counted: the sampler's guard shell and watcher (${r.guardCount} processes): ${f2(r.guardsPercent)} % of one core`,
  );
  console.log(
    `resolution: CPU tick ${clockTickMs} ms over ${(r.spanMs / 1000).toFixed(2)} s = ±${r.tickPercent.toFixed(3)} %` +
      ` of one core per counter, ±${(2 * r.tickPercent).toFixed(3)} % for node + loop`,
  );
  console.log(
    `RSS (node + sampler loop): start ${mib(rssFirst.bytes)}, end ${mib(rssLast.bytes)};` +
      ` ${r.rss.length} samples every ${RSS_EVERY_MS / 1000} s; slope ${r.slope.kibPerMin.toFixed(1)}` +
      ` ± ${r.slope.stdErr.toFixed(1)} KiB/min (least squares ± standard error; goal ≈ 0)`,
  );
  console.log(
    `RSS slope over the second half of the hold: ${r.lateSlope.kibPerMin.toFixed(1)} ± ${r.lateSlope.stdErr.toFixed(1)} KiB/min`,
  );
  console.log(`machine: load average (1 min) ${r.load[0]} at the start, ${r.load[1]} at the end of the hold`);
  console.log(
    `CPU goal ≤ ${CPU_GOAL_PERCENT} % of one core: ${total <= CPU_GOAL_PERCENT ? 'met' : 'NOT met'} (${f2(total)} %)`,
  );
  console.log(
    `netscale while waiting: ${f2(total)} % of one core, RSS slope ${r.slope.kibPerMin.toFixed(1)} KiB/min`,
  );
}
