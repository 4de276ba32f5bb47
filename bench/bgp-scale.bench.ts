/**
 * Scale benchmark of the embedded lab: 1,000 agents advertising 100,000
 * routes in total converge on the emulated control node.
 *
 * Shape (the legacy harness's multi-server fan-out): S bgp_stress_test
 * processes, one per "test server", each with its own instances (VNs
 * c1_t<s>_block1_n<i>), A agents and R routes per agent per instance.
 * Every agent subscribed to an instance receives every route of it, so the
 * control node sends routes x subscribers updates; the shape is printed.
 * Like the harness: routes are sent on a trigger file once all agents are
 * up, adds are done when prefixes reach the total AND pending_updates is 0,
 * deletes end the pause (stdin close) and are timed until 0 prefixes.
 *
 * Run: npx tsx bench/bgp-scale.bench.ts  (env BENCH_SERVERS, BENCH_AGENTS, BENCH_ROUTES, BENCH_INSTANCES)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { buildArgs } from '../lib/bgpstress/command.ts';
import { planServers } from '../lib/bgpstress/plan.ts';
import { clockResolutionMs, monotonicMs, sleep } from '../lib/clock.ts';
import { ConfigApiClient } from '../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../lib/contrail/introspect-client.ts';
import { REPO_ROOT, startSimLab } from '../sim/lab/start-sim-lab.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const SERVERS = env('BENCH_SERVERS', 20);
const AGENTS = env('BENCH_AGENTS', 50);
const ROUTES = env('BENCH_ROUTES', 100);
const INSTANCES = env('BENCH_INSTANCES', 1);
/** Each phase is bounded; the benchmark fails rather than hang. */
const PHASE_LIMIT_MS = 240_000;
const BIN = path.join(REPO_ROOT, 'sim/bin/bgp_stress_test');
const CLK_TCK = 100;

interface ProcSample {
  cpuTicks: number;
  rssKb: number;
  hwmKb: number;
}

/** utime+stime from /proc/<pid>/stat, VmRSS and VmHWM from /proc/<pid>/status. */
function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuTicks, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

async function waitFor(what: string, check: () => Promise<boolean>, everyMs: number): Promise<number> {
  const start = monotonicMs();
  while (!(await check())) {
    if (monotonicMs() - start > PHASE_LIMIT_MS)
      throw new Error(`bench: ${what} not reached within ${PHASE_LIMIT_MS} ms`);
    await sleep(everyMs);
  }
  return monotonicMs();
}

async function main(): Promise<void> {
  const totalAgents = SERVERS * AGENTS;
  const totalRoutes = totalAgents * INSTANCES * ROUTES;
  const updates = SERVERS * INSTANCES * (AGENTS * ROUTES) * AGENTS;
  const resolution = clockResolutionMs();
  console.log(
    `shape: ${SERVERS} bgp_stress_test processes x ${AGENTS} agents x ${INSTANCES} instance(s) x ${ROUTES} routes` +
      ` = ${totalAgents} agents, ${totalRoutes} routes; fan-out: ${AGENTS} subscribers per instance -> ${updates} route updates sent`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'bgp-scale-'));
  const lab = await startSimLab();
  const children: ResultPromise[] = [];
  try {
    const cnPid = lab.pids.controlNode;
    const api = new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' });
    const introspect = new IntrospectClient(lab.endpoints.introspect);
    const plans = planServers({
      controlNode: '127.0.0.1',
      xmppPort: lab.endpoints.xmpp.port,
      lab: 'embedded',
      servers: Array.from({ length: SERVERS }, (_, i) => ({ name: `ts${i + 1}`, address: '127.0.0.1' })),
      iterations: [{ nagents: AGENTS, ninstances: INSTANCES, nroutes: ROUTES }],
      runDefaults: { extraFlags: '--no-agents-updates-processing --no-verify-routes --log-level=SYS_EMERG' },
    });
    for (const p of plans) for (const vn of p.vnNames) await api.createVirtualNetwork(vn);

    const before = procSample(cnPid);
    const t0 = monotonicMs();
    const triggers: string[] = [];
    for (const p of plans) {
      const it = p.iterations[0]!;
      const trigger = path.join(dir, `trigger-${p.server.name}`);
      triggers.push(trigger);
      const args = buildArgs({ ...it.run, routesSendTrigger: trigger });
      const child = execa(BIN, args, { reject: false, stdin: 'pipe', stdout: 'ignore', stderr: 'pipe' });
      children.push(child);
    }
    const tUp = await waitFor(
      `${totalAgents} XMPP neighbors up`,
      async () => (await introspect.neighborCount('xmpp', 'up')) >= totalAgents,
      100,
    );
    const upSample = procSample(cnPid);

    const tables = () => introspect.routeSummary('c1_t.*\\.inet\\.0');
    const tAddStart = monotonicMs();
    for (const t of triggers) writeFileSync(t, '');
    const tAdd = await waitFor(
      `${totalRoutes} prefixes with pending_updates 0`,
      async () => {
        const ts = await tables();
        const prefixes = ts.reduce((a, t) => a + t.prefixes, 0);
        return prefixes >= totalRoutes && ts.every((t) => t.pendingUpdates === 0);
      },
      200,
    );
    const addSample = procSample(cnPid);

    const tDelStart = monotonicMs();
    for (const c of children) c.stdin?.end();
    const tDel = await waitFor(
      'all prefixes withdrawn',
      async () => (await tables()).every((t) => t.prefixes === 0 && t.pendingUpdates === 0),
      200,
    );
    const results = await Promise.all(children);
    const failed = results.filter((r) => r.exitCode !== 0);
    const after = procSample(cnPid);

    const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
    const cpu = (a: ProcSample, b: ProcSample, ms: number) =>
      `${((((b.cpuTicks - a.cpuTicks) / CLK_TCK) * 1000 * 100) / ms).toFixed(0)}%`;
    console.log(
      `clock resolution: ${(resolution * 1e6).toFixed(0)} ns (monotonic); CPU from /proc/${cnPid}/stat (1 tick = 10 ms)`,
    );
    console.log(
      `agents up:  ${totalAgents} in ${s(tUp - t0)} -> ${(totalAgents / ((tUp - t0) / 1000)).toFixed(0)} agents/s` +
        ` (control-node CPU ${cpu(before, upSample, tUp - t0)} of one core)`,
    );
    console.log(
      `adds:       ${totalRoutes} prefixes converged (pending_updates 0) in ${s(tAdd - tAddStart)} -> ${(totalRoutes / ((tAdd - tAddStart) / 1000)).toFixed(0)} prefixes/s,` +
        ` ${(updates / ((tAdd - tAddStart) / 1000)).toFixed(0)} updates/s (control-node CPU ${cpu(upSample, addSample, tAdd - tAddStart)})`,
    );
    console.log(
      `deletes:    ${totalRoutes} prefixes withdrawn in ${s(tDel - tDelStart)} -> ${(totalRoutes / ((tDel - tDelStart) / 1000)).toFixed(0)} prefixes/s`,
    );
    console.log(
      `control node: RSS ${(addSample.rssKb / 1024).toFixed(0)} MiB at converged, peak ${(after.hwmKb / 1024).toFixed(0)} MiB;` +
        ` CPU total ${((after.cpuTicks - before.cpuTicks) / CLK_TCK).toFixed(2)} s over ${s(monotonicMs() - t0)}`,
    );
    console.log(`bgp_stress_test processes: ${results.length - failed.length}/${results.length} exited 0`);
    if (failed.length > 0) {
      console.log(
        failed
          .map((r) => r.stderr)
          .join('\n')
          .slice(-2000),
      );
      process.exitCode = 1;
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.allSettled(children);
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
