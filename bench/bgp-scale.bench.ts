/**
 * Scale benchmark of the embedded lab: 1,000 agents advertising 100,000 routes in total converge on
 * the emulated control node, through the same session the suites run.
 *
 * Shape (the legacy harness's multi-server fan-out): S bgp_stress_test processes, one per "test
 * server" (127.0.0.<n>, the embedded lab's addressPool), each with its own instances, A agents and R
 * routes per agent per instance. Each server's agents subscribe to that server's instances, so the
 * control node sends S x I x (A x R) x A route updates.
 *
 * Run: npx tsx bench/bgp-scale.bench.ts  (env BENCH_SERVERS, BENCH_AGENTS, BENCH_ROUTES, BENCH_INSTANCES)
 */
import { clockResolutionMs } from '../lib/clock.ts';
import { runEmbeddedScale, seconds } from './embedded-scale.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const SERVERS = env('BENCH_SERVERS', 20);
const AGENTS = env('BENCH_AGENTS', 50);
const ROUTES = env('BENCH_ROUTES', 100);
const INSTANCES = env('BENCH_INSTANCES', 1);
/** Each phase is bounded; the benchmark fails rather than hang. */
const PHASE_LIMIT_S = 240;

const result = await runEmbeddedScale({
  name: 'bgp-scale-bench',
  iterations: [{ instances: INSTANCES, agents: AGENTS, routes: ROUTES }],
  servers: { start: '127.0.0.10', count: SERVERS },
  cpu: { intervalMs: 250 },
  bgpStress: {
    extraFlags: '--no-agents-updates-processing --no-verify-routes --log-level=SYS_EMERG',
    timeouts: {
      peersUpSeconds: PHASE_LIMIT_S,
      routesAddSeconds: PHASE_LIMIT_S,
      routesDeleteSeconds: PHASE_LIMIT_S,
      exitSeconds: 60,
    },
  },
});
const it = result.iterations[0]!;
const m = it.measurements;
const e = it.expected;
const rate = (v: { value: number } | undefined) => (v ? v.value.toFixed(0) : '-');
console.log(
  `shape: ${SERVERS} bgp_stress_test processes x ${AGENTS} agents x ${INSTANCES} instance(s) x ${ROUTES} routes` +
    ` = ${e.agents} agents, ${e.prefixes} prefixes; ${e.updates} route updates sent by the control node`,
);
console.log(`clock resolution: ${(clockResolutionMs() * 1e6).toFixed(0)} ns (monotonic)`);
console.log(`agents up:  ${e.peers} in ${seconds(m.peers_up_time)} -> ${rate(m.peers_per_second)} agents/s`);
console.log(
  `adds:       ${e.prefixes} prefixes converged (pending_updates 0) in ${seconds(m.prefix_add_time)}` +
    ` -> ${rate(m.prefixes_per_second)} prefixes/s, ${rate(m.updates_per_second)} updates/s`,
);
console.log(`deletes:    ${e.prefixes} prefixes withdrawn in ${seconds(m.prefix_delete_time)}`);
const mib = (v: { value: number } | undefined) => (v ? `${(v.value / 2 ** 20).toFixed(0)} MiB` : '-');
const pct = (v: { value: number } | undefined) => (v ? `${v.value.toFixed(0)} %` : '-');
console.log(
  `control node: CPU peak ${pct(m.cpu_peak)}, average ${pct(m.cpu_avg)} of one core; RSS peak ${mib(m.rss_peak)}`,
);
if (it.notes.length) {
  console.log(it.notes.join('\n'));
  process.exitCode = 1;
}
