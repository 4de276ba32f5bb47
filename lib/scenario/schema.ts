/**
 * Shape of a BGP scale scenario file (scenarios/*.yaml). One file says what
 * to load onto the lab (iterations of instances x agents x routes), how
 * (sequential or parallel, which test servers, which bgp_stress_test knobs),
 * what to set up around it (VNs, network policies, control-node env and
 * restarts, the agents' reach of the control node) and which
 * thresholds decide pass/fail. Every key has the legacy params.ini key it
 * replaces noted beside it, so `netscale import-params` maps one to one.
 *
 *   iterations: [{ instances: 2, agents: 10, routes: 50 }]   # ninstances/nagents/nroutes
 *   parallel: false                                          # run_bgp_scale_in_background
 *   servers: [a2s41, 10.84.7.39] | { start: 10.84.55.1, count: 3 }
 *   operation: { kind: add | add_and_hold | add_and_flap | add_and_churn, flaps: 3, holdSeconds: 0, rounds, share }
 *   thresholds: { prefix_add_time: '< 30s', cpu_peak: '<= 180%' }
 */
import { z } from 'zod';

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'an IPv4 address like 10.84.7.41');

const count = z.number().int().min(0);
const positive = z.number().int().min(1);

/** One bgp_stress_test run: instances x agents x routes per agent per instance. */
export const iterationSchema = z.strictObject({
  instances: positive,
  agents: positive,
  routes: positive,
  /** Route targets per instance (import_targets_per_instance); informational for the config side. */
  importTargets: count.optional(),
});

/** Consecutive test-server addresses (test_server_iterations + test_server_iterations_start_server). */
export const serverRangeSchema = z.strictObject({ start: ipv4, count: z.number().int().min(1).max(254) });

export const serversSchema = z.union([z.array(z.string().min(1)).min(1), serverRangeSchema]);

export const vnSchema = z.strictObject({
  /** Create the VNs the scenario needs before loading (run_vn). */
  create: z.boolean().default(true),
  /** Name prefix (vn_basename); the legacy name is `<basename><cn octet>_t<ts octet>_block<b>_n<i>`. */
  basename: z
    .string()
    .regex(/^[A-Za-z][\w-]*$/, 'a name prefix of letters, digits, _ or -')
    .default('c'),
  nblocks: positive.default(1), // nblocks_of_vns
  startBlock: positive.default(1), // start_block_num
  deleteBeforeCreate: z.boolean().default(false), // del_vn_before_create
  deleteAfterRun: z.boolean().default(true), // delete_vns_after_run
  prefixLen: z.number().int().min(8).max(30).default(24), // vn_net_prefix_len
  domain: z.string().default('default-domain'), // ri_domain_name
  /** bgp_stress_test names its instances default-domain:admin:<name><i>:<name><i>, hence 'admin'. */
  project: z.string().default('admin'), // ri_proj_name
});

/**
 * Network policies attached to the scenario's VNs (Policy_Scale): `count` policies named
 * `<namePrefix><i>` (i from 1), each of `rules` rules. The k-th VN gets the j-th policy (both from 0)
 * when j ≡ k (mod min(count, VNs)): one policy per VN while there are at least as many VNs as policies,
 * else every policy on exactly one VN (see lib/contrail/policy-provisioning.ts).
 */
export const policySchema = z.strictObject({
  create: z.boolean().default(false), // run_policy
  count: positive.max(10_000).default(1), // npolicies
  rules: positive.max(1000).default(1), // nrules
  namePrefix: z
    .string()
    .regex(/^[A-Za-z][\w-]*$/, 'a name prefix of letters, digits, _ or -')
    .default('policy_'), // policy_name_prepend_pattern
});

/**
 * Before loading, each test server proves it can reach the control node's XMPP port from `sample` of
 * its agent source addresses, spread over its range (inverse of skip_check_and_fix_connectivity_ping).
 */
export const connectivityCheckSchema = z.strictObject({
  check: z.boolean().default(true),
  sample: positive.max(1000).default(4),
});

export const timeoutsSchema = z.strictObject({
  /** From start until every agent is an Established XMPP peer. */
  peersUpSeconds: z.number().positive().default(120),
  /** From the trigger until every prefix is in and pending_updates is 0. */
  routesAddSeconds: z.number().positive().default(300),
  /** From the end of the pause until every prefix is withdrawn. */
  routesDeleteSeconds: z.number().positive().default(300),
  /** From the end of the pause until bgp_stress_test has exited. */
  exitSeconds: z.number().positive().default(60),
});

export const bgpStressSchema = z.strictObject({
  nevents: z.number().int().min(-1).default(-1),
  /** Hold routes until the harness ends the pause, so withdrawal can be timed (--pause). */
  pause: z.boolean().default(true),
  /** Extra command-line flags passed verbatim (logging_etc). */
  extraFlags: z.string().default(''),
  /** Environment of bgp_stress_test (bgp_env). */
  env: z.record(z.string().regex(/^[A-Za-z_]\w*$/, 'an environment variable name'), z.string()).default({}),
  /** Start prefix of the first server (xmpp_start_prefix); derived per server and iteration when absent. */
  xmppPrefix: z.string().optional(),
  /** Base test id (test_id); each server and iteration gets its own above it. */
  testId: z.number().int().min(0).default(0),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
});

export const controlNodeSettingsSchema = z.strictObject({
  /** Env vars the control node is restarted with (cn_env; add_cn_env_vars). */
  env: z.record(z.string().regex(/^[A-Za-z_]\w*$/, 'an environment variable name'), z.string()).default({}),
  restartBefore: z.boolean().default(false), // restart_cn
  restartAfterDelete: z.boolean().default(false),
});

export const routerCheckSchema = z.strictObject({
  /** Poll the MX's BGP neighbor state over SSH (the inverse of skip_rtr_check). */
  check: z.boolean().default(false),
});

export const cpuSchema = z.strictObject({
  sample: z.boolean().default(true),
  /** Report CPU only at the peak of the run (report_cpu_only_at_peak_bgp_scale). */
  onlyAtPeak: z.boolean().default(false),
  intervalMs: z.number().int().min(50).max(10_000).default(250),
});

export const operationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('add') }),
  z.strictObject({ kind: z.literal('add_and_hold'), holdSeconds: z.number().min(0).default(10) }),
  z.strictObject({ kind: z.literal('add_and_flap'), flaps: positive.default(1) }),
  /**
   * After the add, `rounds` times: withdraw a `share` of every peer's prefixes and announce them again
   * (loads that can: the native BGP generator against a daemon).
   */
  z.strictObject({
    kind: z.literal('add_and_churn'),
    rounds: positive.default(3),
    share: z.number().gt(0).max(1).default(0.1),
  }),
]);

/** Consecutive runs of the whole scenario with a control-node restart between them (stressfactr run_cpu_test). */
export const repeatSchema = z.strictObject({
  runs: positive.default(1),
  restartBetween: z.boolean().default(true),
  /** Use the lab's reboot command instead of the restart command (run_reboot_cmd). */
  reboot: z.boolean().default(false),
});

/**
 * A scenario against real BGP daemons (suites/bgp-daemons): each iteration's `agents` are the native
 * generator's BGP peers and `routes` the prefixes each announces; the Contrail sections are not used.
 */
export const bgpDaemonSchema = z.strictObject({
  /** The daemons the scenario runs against (NETSCALE_DUT picks one of them). */
  duts: z
    .array(z.enum(['gobgp', 'bird', 'frr']))
    .min(1)
    .default(['gobgp', 'bird', 'frr']),
  /** The daemon's AS. */
  localAs: z.number().int().min(1).max(4_294_967_295).default(64512),
  /** distinct: each peer its own prefixes; shared: every peer the same ones (the daemon picks a best path). */
  mode: z.enum(['distinct', 'shared']).default('distinct'),
  asPathLength: z.number().int().min(1).max(255).default(1),
  communities: z.array(z.string().regex(/^\d+:\d+$/, 'a community like 65000:100')).default([]),
  holdTimeSeconds: z.number().int().min(3).max(65535).default(90),
  /**
   * Let a daemon that can stamp the last prefix of each peer itself time add and withdraw (FRR: its
   * debug log, to the microsecond) or add (BIRD: its import filter's log, to its loop cycle); false
   * leaves it unwatched (watching costs neither measurably here) and the figures to the poller's bracket.
   * Distinct prefixes only.
   */
  ownRecord: z.boolean().default(true),
});

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case name of letters, digits and -'),
  description: z.string().default(''),
  /** Allure feature label; defaults to the name. */
  feature: z.string().optional(),
  iterations: z.array(iterationSchema).min(1),
  /**
   * Start the load (bgp_stress_test) and measure it. false: only set up what the iterations need (VNs,
   * control-node env and restart) and tear it down; the run has no iterations (legacy run_bgp_scale=0).
   */
  load: z.boolean().default(true),
  parallel: z.boolean().default(false),
  /** Test servers by lab host name or address; default: every test server of the lab. */
  servers: serversSchema.optional(),
  vns: vnSchema.default(vnSchema.parse({})),
  policies: policySchema.default(policySchema.parse({})),
  connectivityCheck: connectivityCheckSchema.default(connectivityCheckSchema.parse({})),
  bgpStress: bgpStressSchema.default(bgpStressSchema.parse({})),
  controlNode: controlNodeSettingsSchema.default(controlNodeSettingsSchema.parse({})),
  router: routerCheckSchema.default(routerCheckSchema.parse({})),
  cpu: cpuSchema.default(cpuSchema.parse({})),
  /** Verify that every expected prefix arrives (inverse of no_verify_routes): without it only peers are timed. */
  verifyRoutes: z.boolean().default(true),
  operation: operationSchema.default({ kind: 'add' }),
  repeat: repeatSchema.default(repeatSchema.parse({})),
  /** Present: the scenario runs against real BGP daemons (suites/bgp-daemons), not a control node. */
  bgpDaemon: bgpDaemonSchema.optional(),
  /** Threshold overrides by metric name, e.g. prefix_add_time: '< 30s'. */
  thresholds: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a metric name like prefix_add_time'), z.string().min(1))
    .default({}),
});

export type Iteration = z.infer<typeof iterationSchema>;
export type ServerRange = z.infer<typeof serverRangeSchema>;
export type VnSettings = z.infer<typeof vnSchema>;
export type PolicySettings = z.infer<typeof policySchema>;
export type ConnectivityCheckSettings = z.infer<typeof connectivityCheckSchema>;
export type BgpStressSettings = z.infer<typeof bgpStressSchema>;
export type ControlNodeSettings = z.infer<typeof controlNodeSettingsSchema>;
export type Operation = z.infer<typeof operationSchema>;
export type BgpDaemonSettings = z.infer<typeof bgpDaemonSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;
/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
