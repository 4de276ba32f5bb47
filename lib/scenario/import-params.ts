/**
 * Converts a legacy params.ini into a scenario (the schema in ./schema.ts).
 *
 *   importParams(text, { name?, controlNodeCpus? })
 *     -> { scenario (ScenarioInput), imported, warnings, errors, labNotes }
 *
 * Nothing is dropped silently: every key of the file ends up in exactly one of
 * - `imported`: the scenario setting it became (`line: key -> scenario path`);
 * - `labNotes`: it describes the lab (addresses, commands, credentials), with the lab-file key it
 *   becomes. Values are never echoed (some are passwords). A malformed value (a port that is not a
 *   number, an address that is not IPv4) is a warning instead, naming key, line and what was expected;
 * - `warnings`: why it was not imported (not supported yet, obsolete, switched off by another key,
 *   unknown), with its line. Repeated keys (last wins) are warnings too (see params-ini.ts).
 * A value the scenario needs that does not parse (a log line pasted into num_iterations, "1,2,x" in
 * nagents, ...) or a per-iteration list shorter than num_iterations is an error naming the key, the
 * line, what was expected and what was found. Callers exit non-zero when errors is not empty.
 *
 * Legacy keys with a special mapping:
 * - run_bgp_scale=0 (create VNs only) -> `load: false`.
 * - restart_cn restarted the control node at setup and after deleting the VNs (the seed harness used the
 *   one knob for both) -> controlNode.restartBefore and controlNode.restartAfterDelete.
 * - Consecutive runs -> repeat.runs: run_test=1 runs rule_num_tests times; run_cpu_test=1 ran one run
 *   per cpu_mulitplier CPU threads of the control node, a count only known with `controlNodeCpus`
 *   (the command's --control-node-cpus); run_reboot_cmd -> repeat.reboot.
 * - bgp_oper=add_and_hold holds for sleeptime_hold seconds -> operation.holdSeconds.
 * - Policy_Scale: run_policy (with run_setup) -> policies.create, npolicies -> policies.count (0: none),
 *   nrules -> policies.rules, policy_name_prepend_pattern -> policies.namePrefix, policy_oper=add.
 * - skip_check_and_fix_connectivity_ping=1 -> connectivityCheck.check: false.
 * - Other sleeptime_* keys are warnings: netscale waits for the condition a sleep stood for.
 */
import { scenarioSchema, type ScenarioInput } from './schema.ts';
import { formatIssues } from './load.ts';
import { readParamsIni, type IniEntry, type IniProblem } from './params-ini.ts';

/** A key whose value went into the scenario: `to` is the scenario path it set. */
export interface ImportedKey {
  line: number;
  key: string;
  to: string;
}

export interface ImportResult {
  scenario: ScenarioInput;
  imported: ImportedKey[];
  warnings: IniProblem[];
  errors: IniProblem[];
  /** Lab-file settings found in the params file: `line: key -> lab file key`. */
  labNotes: IniProblem[];
}

export interface ImportOptions {
  name?: string;
  /** CPU threads of the control node: the legacy run_cpu_test ran threads / cpu_mulitplier runs. */
  controlNodeCpus?: number;
}

/** How a lab-file value must look; a value that does not is a warning (never echoed). */
interface LabValueCheck {
  expected: string;
  ok: (value: string) => boolean;
}

const IPV4: LabValueCheck = { expected: 'an IPv4 address like 10.84.7.40', ok: isIpv4 };
const IPV4_LIST: LabValueCheck = {
  expected: 'IPv4 addresses separated by commas, like 10.84.7.41, 10.84.7.42',
  ok: (v) => {
    const items = v.split(',').map((s) => s.trim());
    return items.length > 0 && items.every(isIpv4);
  },
};
const PORT: LabValueCheck = {
  expected: 'a port number from 1 to 65535',
  ok: (v) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535,
};
const PREFIX_LENGTH: LabValueCheck = {
  expected: 'a prefix length from 0 to 32',
  ok: (v) => /^\d{1,2}$/.test(v) && Number(v) <= 32,
};

/** Keys that belong to the lab file, with where they go there and, for some, the form of their value. */
const LAB_KEYS: Record<string, { to: string; check?: LabValueCheck }> = {
  username: { to: 'configApi.username' },
  password: { to: 'configApi.password (as ${CONFIG_API_PASSWORD})' },
  ssh_username: { to: 'hosts.<name>.user' },
  ssh_password: { to: 'hosts.<name>.auth.password (as ${LAB_SSH_PASSWORD})' },
  control_node_ips: { to: 'controlNodes[].host', check: IPV4_LIST },
  api_server_ip: { to: 'configApi.url', check: IPV4 },
  api_server_port: { to: 'configApi.url', check: PORT },
  reboot_cmd: { to: 'controlNodes[].rebootCommand' },
  start_bgp_test_cmd: { to: 'testServers[].bgpStressPath' },
  restart_cn_cmd: { to: 'controlNodes[].restartCommand' },
  cn_restart_cmd: { to: 'controlNodes[].restartCommand' },
  control_node_restart_cmd: { to: 'controlNodes[].restartCommand' },
  control_node_restart_fedora_cmd: { to: 'controlNodes[].restartCommand' },
  cn_stop_cmd: { to: 'controlNodes[].stopCommand' },
  stop_cn_cmd: { to: 'controlNodes[].stopCommand' },
  control_node_stop_cmd: { to: 'controlNodes[].stopCommand' },
  rtr_ips: { to: 'routers[].host', check: IPV4_LIST },
  rtr_username: { to: 'hosts.<router>.user' },
  rtr_password: { to: 'hosts.<router>.auth.password (as ${ROUTER_PASSWORD})' },
  rtr_cli_show_bgp_neighbor_cmd: { to: 'routers[].showBgpNeighborCommand' },
  rtr_bgp_up_state: { to: 'routers[].bgpUpState' },
  skip_check_and_fix_connectivity: { to: 'testServers[].addSecondaryAddresses (inverse)' },
  skip_check_and_fix_secondaries: { to: 'testServers[].addSecondaryAddresses (inverse)' },
  xmpp_src: { to: 'testServers[].xmppSource', check: IPV4_LIST },
  xmpp_src_prefix_len: { to: 'testServers[].sourcePrefixLength', check: PREFIX_LENGTH },
  run_dir: { to: 'testServers[].workDir' },
  logdir_name: { to: 'NETSCALE_REPORTS_DIR' },
};

/** Legacy features netscale has no setting for yet: each such key is a warning naming the feature. */
const NOT_SUPPORTED: [RegExp, string][] = [
  [/^num_bidir_policies$/, 'policies connecting pairs of VNs (policies: npolicies x nrules are supported)'],
  [
    /^policy_/,
    'network policy settings other than npolicies, nrules, policy_name_prepend_pattern and policy_oper=add',
  ],
  [/^skip_krt_check$/, "polling the router's kernel route queue (show krt queue)"],
  [/^use_xmpp_start_prefix_large$/, 'the large xmpp prefix format (--xmpp-prefix-format-large)'],
  [/^set_affinity_mask$/, "changing the control node's CPU affinity"],
  [/^vn_oper$/, 'VN operations other than creating them (vn_oper=del)'],
  [/^rule_/, 'test-server/control-node pairing and route counts that grow per run'],
];

/** Keys the legacy harness had that netscale does differently; recognised, not imported. */
const OBSOLETE_KEYS: Record<string, string> = {
  rt_per_block_enabled: 'route targets per block are not modelled',
  family: 'bgp_stress_test sends inet routes (its default family)',
  nh: 'the next hop is derived per test server',
  cpu_mulitplier: 'netscale does not change the control node thread count between runs',
  result_averages_logfilename: 'the summary is reports/runs/<run-id>/results_summary.txt',
  run_get_result_prior_run: 'use `netscale summarize reports/runs/<run-id>`',
  report_stats_before_and_after_tests: 'CPU and memory are sampled for the whole run',
  install_w_yum: 'install bgp_stress_test on the test servers yourself',
};
const OBSOLETE_PREFIXES: [string, string][] = [
  ['install_', 'install bgp_stress_test on the test servers yourself'],
  ['sleeptime_', 'netscale waits for the condition each fixed sleep stood for, never a fixed time'],
];

/** Keys the mapping reads (a backstop: one that is neither imported nor warned about still gets a warning). */
const SCENARIO_KEYS = new Set([
  'num_iterations',
  'ninstances',
  'nagents',
  'nroutes',
  'import_targets_per_instance',
  'run_bgp_scale',
  'run_bgp_scale_in_background',
  'test_servers',
  'test_server_ips',
  'test_server_iterations',
  'test_server_iterations_start_server',
  'bgp_oper',
  'sleeptime_hold',
  'hold_seconds',
  'flap_count',
  'nflaps',
  'skip_rtr_check',
  'check_bgp_up',
  'no_verify_routes',
  'report_cpu_only_at_peak_bgp_scale',
  'run_setup',
  'run_vn',
  'vn_basename',
  'nblocks_of_vns',
  'start_block_num',
  'del_vn_before_create',
  'delete_vns_after_run',
  'vn_net_prefix_len',
  'ri_domain_name',
  'ri_proj_name',
  'run_policy',
  'npolicies',
  'nrules',
  'policy_name_prepend_pattern',
  'policy_oper',
  'skip_check_and_fix_connectivity_ping',
  'add_cn_env_vars',
  'restart_cn',
  'cn_env',
  'test_id',
  'bgp_env',
  'logging_etc',
  'use_xmpp_start_prefix',
  'xmpp_start_prefix',
  'run_test',
  'rule_num_tests',
  'run_cpu_test',
  'run_reboot_cmd',
]);

const TIMEOUT_KEY = /^timeout_(minutes|seconds)_(\w+)$/;

export function importParams(text: string, opts: ImportOptions = {}): ImportResult {
  const ini = readParamsIni(text);
  const warnings = [...ini.warnings];
  const errors: IniProblem[] = [];
  const labNotes: IniProblem[] = [];
  const imported: ImportedKey[] = [];
  /** Keys already given their one disposition (imported, or warned with a reason). */
  const accounted = new Set<string>();
  const get = (key: string): IniEntry | undefined => ini.entries.get(key);

  const importedAs = (key: string, to: string) => {
    const e = get(key);
    if (!e || accounted.has(key)) return;
    accounted.add(key);
    imported.push({ line: e.line, key, to });
  };
  const notImported = (key: string, why: string) => {
    const e = get(key);
    if (!e || accounted.has(key)) return;
    accounted.add(key);
    warnings.push({ line: e.line, message: `${key} not imported: ${why}` });
  };
  const fail = (e: IniEntry, expected: string) => {
    accounted.add(e.key);
    errors.push({
      line: e.line,
      message: `${e.key}: expected ${expected}, found ${JSON.stringify(clip(e.value))}`,
    });
  };
  const at = (key: string) => `(line ${get(key)?.line})`;

  const int = (key: string): number | undefined => {
    const e = get(key);
    if (!e || e.value === '') return undefined;
    if (!/^-?\d+$/.test(e.value)) return void fail(e, 'a whole number');
    return Number(e.value);
  };
  const bool = (key: string): boolean | undefined => {
    const e = get(key);
    if (!e || e.value === '') return undefined;
    const v = e.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return void fail(e, '1 or 0');
  };
  const intList = (key: string, atLeast: number | undefined): number[] | undefined => {
    const e = get(key);
    if (!e) return undefined;
    const items = e.value.split(',').map((s) => s.trim());
    const bad = items.find((s) => !/^\d+$/.test(s));
    if (bad !== undefined)
      return void fail(
        e,
        `a comma-separated list of whole numbers (item ${JSON.stringify(clip(bad))} is not one)`,
      );
    if (atLeast !== undefined && items.length < atLeast) {
      accounted.add(key);
      errors.push({
        line: e.line,
        message: `${key}: has ${items.length} value(s) but num_iterations is ${atLeast}: each per-iteration list needs at least num_iterations values`,
      });
      return undefined;
    }
    return items.map(Number);
  };
  const envList = (key: string): Record<string, string> | undefined => {
    const e = get(key);
    if (!e || e.value === '') return undefined;
    const out: Record<string, string> = {};
    for (const item of e.value.split(/[,\s]+/).filter(Boolean)) {
      if (item.startsWith('#')) continue; // "#VAR=" switches a variable off in the legacy files
      const m = /^([A-Za-z_]\w*)=(.*)$/.exec(item);
      if (!m)
        return void fail(
          e,
          `NAME=value items separated by commas or spaces (item ${JSON.stringify(clip(item))} is not one)`,
        );
      out[m[1]!] = m[2]!;
    }
    return out;
  };

  const scenario: Record<string, unknown> = { name: opts.name ?? 'imported' };

  // Iterations.
  const numIterationsEntry = get('num_iterations');
  const n = int('num_iterations');
  if (!numIterationsEntry)
    errors.push({ line: 0, message: 'num_iterations: missing (the number of bgp_stress_test iterations)' });
  else if (n !== undefined && n < 1) fail(numIterationsEntry, 'at least 1');
  const lists = {
    instances: intList('ninstances', n),
    agents: intList('nagents', n),
    routes: intList('nroutes', n),
    importTargets: intList('import_targets_per_instance', n),
  };
  for (const key of ['ninstances', 'nagents', 'nroutes']) {
    if (!get(key))
      errors.push({ line: 0, message: `${key}: missing (a per-iteration list, e.g. ${key}=1,10,10)` });
  }
  if (n && n >= 1 && lists.instances && lists.agents && lists.routes) {
    scenario.iterations = Array.from({ length: n }, (_, i) => ({
      instances: lists.instances![i],
      agents: lists.agents![i],
      routes: lists.routes![i],
      ...(lists.importTargets ? { importTargets: lists.importTargets[i] } : {}),
    }));
    importedAs('num_iterations', 'iterations (count)');
    importedAs('ninstances', 'iterations[].instances');
    importedAs('nagents', 'iterations[].agents');
    importedAs('nroutes', 'iterations[].routes');
    importedAs('import_targets_per_instance', 'iterations[].importTargets');
  }

  // Load or VNs only.
  const runBgpScale = bool('run_bgp_scale');
  if (runBgpScale === false) scenario.load = false;
  if (runBgpScale !== undefined) importedAs('run_bgp_scale', 'load');
  const vnsOnly = runBgpScale === false ? get('run_bgp_scale') : undefined;
  setIf(scenario, 'parallel', bool('run_bgp_scale_in_background'));
  importedAs('run_bgp_scale_in_background', 'parallel');

  // Servers: a list, or consecutive addresses.
  const serverIterations = int('test_server_iterations');
  const startServer = get('test_server_iterations_start_server');
  const listKey = get('test_server_ips') ? 'test_server_ips' : 'test_servers';
  const serverList = get(listKey);
  if (serverIterations && serverIterations > 0) {
    if (!startServer || !isIpv4(startServer.value)) {
      if (startServer) fail(startServer, 'an IPv4 address');
      else
        errors.push({
          line: get('test_server_iterations')!.line,
          message: 'test_server_iterations: needs test_server_iterations_start_server (the first address)',
        });
    } else {
      scenario.servers = { start: startServer.value, count: serverIterations };
      importedAs('test_server_iterations', 'servers.count');
      importedAs('test_server_iterations_start_server', 'servers.start');
    }
    for (const key of ['test_server_ips', 'test_servers'])
      notImported(
        key,
        `test_server_iterations=${serverIterations} ${at('test_server_iterations')} selects consecutive addresses instead`,
      );
  } else if (serverList) {
    if (serverList.value) {
      const items = serverList.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = items.find((s) => !/^[\w.-]+$/.test(s));
      if (bad !== undefined)
        fail(
          serverList,
          `comma-separated addresses or host names (item ${JSON.stringify(clip(bad))} is not one)`,
        );
      else {
        scenario.servers = items;
        importedAs(listKey, 'servers');
      }
    } else importedAs(listKey, 'servers (empty: every test server of the lab)');
    if (listKey === 'test_server_ips')
      notImported('test_servers', `test_server_ips ${at('test_server_ips')} is used`);
  }
  if (!(serverIterations && serverIterations > 0)) {
    importedAs('test_server_iterations', 'servers (0: the list)');
    notImported('test_server_iterations_start_server', 'used only when test_server_iterations is above 0');
  }

  // Operation.
  const oper = get('bgp_oper');
  if (oper) {
    const kind = oper.value.toLowerCase();
    if (kind === 'add') scenario.operation = { kind };
    else if (kind === 'add_and_hold') {
      const holdKey = get('sleeptime_hold') ? 'sleeptime_hold' : 'hold_seconds';
      scenario.operation = { kind, ...defined({ holdSeconds: int(holdKey) }) };
      importedAs(holdKey, 'operation.holdSeconds');
    } else if (kind === 'add_and_flap') {
      const flapsKey = get('flap_count') ? 'flap_count' : 'nflaps';
      scenario.operation = { kind, ...defined({ flaps: int(flapsKey) }) };
      importedAs(flapsKey, 'operation.flaps');
    } else fail(oper, 'add, add_and_hold or add_and_flap');
    importedAs('bgp_oper', 'operation.kind');
  }
  const kindNow = oper?.value.toLowerCase() ?? 'add';
  for (const key of ['sleeptime_hold', 'hold_seconds'])
    notImported(key, `used only with bgp_oper=add_and_hold (bgp_oper is ${kindNow})`);
  for (const key of ['flap_count', 'nflaps'])
    notImported(key, `used only with bgp_oper=add_and_flap (bgp_oper is ${kindNow})`);

  // Checks.
  const skipRtr = bool('skip_rtr_check');
  const checkBgpUp = bool('check_bgp_up');
  if (skipRtr !== undefined || checkBgpUp !== undefined) {
    scenario.router = { check: checkBgpUp ?? !skipRtr };
    importedAs('check_bgp_up', 'router.check');
    importedAs('skip_rtr_check', 'router.check (inverse)');
  }
  const noVerify = bool('no_verify_routes');
  if (noVerify !== undefined) scenario.verifyRoutes = !noVerify;
  importedAs('no_verify_routes', 'verifyRoutes (inverse)');
  const cpuAtPeak = bool('report_cpu_only_at_peak_bgp_scale');
  if (cpuAtPeak !== undefined) scenario.cpu = { onlyAtPeak: cpuAtPeak };
  importedAs('report_cpu_only_at_peak_bgp_scale', 'cpu.onlyAtPeak');

  // VNs.
  const runSetup = bool('run_setup');
  const runVn = bool('run_vn');
  const vnKeys: [string, string, unknown][] = [
    ['vn_basename', 'basename', get('vn_basename')?.value || undefined],
    ['nblocks_of_vns', 'nblocks', int('nblocks_of_vns')],
    ['start_block_num', 'startBlock', int('start_block_num')],
    ['del_vn_before_create', 'deleteBeforeCreate', bool('del_vn_before_create')],
    ['delete_vns_after_run', 'deleteAfterRun', bool('delete_vns_after_run')],
    ['vn_net_prefix_len', 'prefixLen', int('vn_net_prefix_len')],
    ['ri_domain_name', 'domain', get('ri_domain_name')?.value || undefined],
    ['ri_proj_name', 'project', get('ri_proj_name')?.value || undefined],
  ];
  const vns = defined({
    create: runSetup === false ? false : runVn,
    ...Object.fromEntries(vnKeys.map(([, to, v]) => [to, v])),
  });
  if (Object.keys(vns).length) scenario.vns = vns;
  if (vnsOnly && vns.create === false)
    warnings.push({
      line: vnsOnly.line,
      message:
        'run_bgp_scale=0 and no VNs to create (run_vn=0 or run_setup=0): the scenario only sets up the control node',
    });
  else if (vnsOnly && vns.deleteAfterRun === undefined)
    warnings.push({
      line: vnsOnly.line,
      message:
        'run_bgp_scale=0 imported as load: false (VNs only); the VNs are deleted when the scenario ends ' +
        '(vns.deleteAfterRun defaults to true): set delete_vns_after_run=0 to keep them',
    });
  importedAs('run_setup', 'vns.create, controlNode (0: no setup)');
  if (runSetup === false) notImported('run_vn', `run_setup=0 ${at('run_setup')} skips the VNs`);
  importedAs('run_vn', 'vns.create');
  for (const [key, to] of vnKeys) importedAs(key, `vns.${to}`);

  // Network policies, created at setup like the VNs.
  const policies = networkPolicies();
  if (Object.keys(policies).length) scenario.policies = policies;

  // The agents' reach of the control node, checked before loading (the legacy setup pinged).
  const skipPing = bool('skip_check_and_fix_connectivity_ping');
  if (skipPing !== undefined) scenario.connectivityCheck = { check: !skipPing };
  importedAs('skip_check_and_fix_connectivity_ping', 'connectivityCheck.check (inverse)');

  // Control node: restart_cn restarted it at setup and after deleting the VNs.
  const addEnv = bool('add_cn_env_vars');
  const restartCn = bool('restart_cn');
  const cnEnv = envList('cn_env');
  const controlNode = defined({
    env: addEnv === false || runSetup === false ? undefined : cnEnv,
    restartBefore: runSetup === false ? undefined : restartCn,
    restartAfterDelete: runSetup === false ? undefined : restartCn,
  });
  if (Object.keys(controlNode).length) scenario.controlNode = controlNode;
  if (runSetup === false) {
    notImported('cn_env', `run_setup=0 ${at('run_setup')} skips the control-node setup`);
    notImported('add_cn_env_vars', `run_setup=0 ${at('run_setup')} skips the control-node setup`);
    notImported('restart_cn', `run_setup=0 ${at('run_setup')} skips the control-node setup`);
  }
  if (addEnv === false) notImported('cn_env', `add_cn_env_vars=0 ${at('add_cn_env_vars')} switches it off`);
  importedAs('add_cn_env_vars', 'controlNode.env (0: none)');
  importedAs('cn_env', 'controlNode.env');
  importedAs('restart_cn', 'controlNode.restartBefore, controlNode.restartAfterDelete');

  // bgp_stress_test knobs.
  const timeouts: Record<string, number> = {};
  for (const e of ini.entries.values()) {
    const m = TIMEOUT_KEY.exec(e.key);
    if (!m) continue;
    if (!/^\d+(\.\d+)?$/.test(e.value)) {
      fail(e, `a number of ${m[1]}`);
      continue;
    }
    const seconds = Number(e.value) * (m[1] === 'minutes' ? 60 : 1);
    const what = m[2]!;
    const target = /peer|agent|up/.test(what)
      ? 'peersUpSeconds'
      : /del|withdraw/.test(what)
        ? 'routesDeleteSeconds'
        : /add|route|prefix/.test(what)
          ? 'routesAddSeconds'
          : /exit|kill|stop/.test(what)
            ? 'exitSeconds'
            : undefined;
    if (target) {
      timeouts[target] = seconds;
      importedAs(e.key, `bgpStress.timeouts.${target}`);
    } else notImported(e.key, 'no matching netscale timeout (peers up, routes add, routes delete, exit)');
  }
  const useStartPrefix = bool('use_xmpp_start_prefix');
  const startPrefix = get('xmpp_start_prefix');
  if (useStartPrefix && startPrefix && !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(startPrefix.value))
    fail(startPrefix, 'a prefix like 10.1.0.0/32');
  if (!useStartPrefix)
    notImported('xmpp_start_prefix', 'use_xmpp_start_prefix is not 1: the prefix is derived per server');
  const bgpStress = defined({
    testId: int('test_id'),
    env: envList('bgp_env'),
    extraFlags: get('logging_etc')?.value || undefined,
    xmppPrefix: useStartPrefix ? startPrefix?.value : undefined,
    timeouts: Object.keys(timeouts).length ? timeouts : undefined,
  });
  if (Object.keys(bgpStress).length) scenario.bgpStress = bgpStress;
  importedAs('test_id', 'bgpStress.testId');
  importedAs('bgp_env', 'bgpStress.env');
  importedAs('logging_etc', 'bgpStress.extraFlags');
  importedAs('use_xmpp_start_prefix', 'bgpStress.xmppPrefix (0: derived)');
  importedAs('xmpp_start_prefix', 'bgpStress.xmppPrefix');

  // Consecutive runs with a control-node restart (or reboot) between them.
  const repeat = consecutiveRuns();
  if (repeat) scenario.repeat = repeat;

  // Every key left gets its one disposition, in file order.
  for (const e of [...ini.entries.values()].sort((a, b) => a.line - b.line)) {
    if (accounted.has(e.key)) continue;
    const lab = LAB_KEYS[e.key];
    const unsupported = NOT_SUPPORTED.find(([re]) => re.test(e.key));
    const obsoletePrefix = OBSOLETE_PREFIXES.find(([p]) => e.key.startsWith(p));
    if (lab) {
      if (lab.check && !lab.check.ok(e.value))
        warnings.push({
          line: e.line,
          message:
            `${e.key} (lab file: ${lab.to}): expected ${lab.check.expected}, found a value that is not one ` +
            '(not shown: lab-file values are never echoed)',
        });
      else labNotes.push({ line: e.line, message: `${e.key} belongs in the lab file: ${lab.to}` });
    } else if (unsupported) notImported(e.key, `not supported yet: ${unsupported[1]}`);
    else if (OBSOLETE_KEYS[e.key]) notImported(e.key, OBSOLETE_KEYS[e.key]!);
    else if (obsoletePrefix) notImported(e.key, obsoletePrefix[1]);
    else if (SCENARIO_KEYS.has(e.key) || TIMEOUT_KEY.test(e.key))
      notImported(
        e.key,
        errors.length
          ? 'the scenario was not built (see the errors)'
          : 'its value leaves the scenario unchanged',
      );
    else
      warnings.push({
        line: e.line,
        message: `unknown key ${e.key}${e.section ? ` in [${e.section}]` : ''}: ignored`,
      });
  }

  // Only check the whole when the parts parsed, so each problem is reported once, at its line.
  if (errors.length === 0) {
    const checked = scenarioSchema.safeParse(scenario, { reportInput: true });
    if (!checked.success) {
      for (const line of formatIssues(checked.error.issues, 'scenario').split('\n'))
        errors.push({ line: 0, message: line });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);
  imported.sort((a, b) => a.line - b.line);
  return { scenario: scenario as ScenarioInput, imported, warnings, errors, labNotes };

  /** Policy_Scale: run_policy (off with run_setup=0), npolicies, nrules, policy_name_prepend_pattern, policy_oper. */
  function networkPolicies(): Record<string, unknown> {
    const runPolicy = bool('run_policy');
    const count = int('npolicies');
    const rules = int('nrules');
    const countEntry = get('npolicies');
    const rulesEntry = get('nrules');
    const countOk = !(countEntry && count !== undefined && (count < 0 || count > 10_000));
    if (!countOk) fail(countEntry!, 'from 0 to 10000 policies');
    const rulesOk = !(rulesEntry && rules !== undefined && (rules < 1 || rules > 1000));
    if (!rulesOk) fail(rulesEntry!, 'from 1 to 1000 rules per policy');
    const prefix = get('policy_name_prepend_pattern');
    if (prefix && !/^[A-Za-z][\w-]*$/.test(prefix.value))
      fail(prefix, 'a name prefix of letters, digits, _ or -, like policy_');
    const oper = get('policy_oper');
    if (oper && oper.value.toLowerCase() !== 'add')
      notImported(
        'policy_oper',
        `policy_oper=${clip(oper.value)}: netscale creates the policies (add) and removes them after the run`,
      );
    const create = runSetup === false || count === 0 ? false : runPolicy;
    const out = defined({
      create,
      count: count === 0 || !countOk ? undefined : count,
      rules: rulesOk ? rules : undefined,
      namePrefix: prefix && !accounted.has(prefix.key) ? prefix.value : undefined,
    });
    if (runSetup === false) notImported('run_policy', `run_setup=0 ${at('run_setup')} skips the policies`);
    importedAs('run_policy', 'policies.create');
    importedAs('npolicies', count === 0 ? 'policies.create (0: no policies)' : 'policies.count');
    importedAs('nrules', 'policies.rules');
    importedAs('policy_name_prepend_pattern', 'policies.namePrefix');
    importedAs('policy_oper', 'policies (add: created at setup, removed after the run)');
    return out;
  }

  /**
   * run_test=1: rule_num_tests runs. run_cpu_test=1: one run per cpu_mulitplier CPU threads of the
   * control node (stressfactr), known only with opts.controlNodeCpus. Between runs the legacy harness
   * rebooted (run_reboot_cmd=1) or restarted the control node.
   */
  function consecutiveRuns(): Record<string, unknown> | undefined {
    const runTest = bool('run_test');
    const cpuTest = bool('run_cpu_test');
    const reboot = bool('run_reboot_cmd');
    let runs: number | undefined;
    if (runTest) {
      const tests = int('rule_num_tests');
      if (tests === undefined) notImported('run_test', 'needs rule_num_tests (the number of runs)');
      else if (tests < 1) fail(get('rule_num_tests')!, 'at least 1');
      else {
        runs = tests;
        importedAs('run_test', 'repeat');
        importedAs('rule_num_tests', 'repeat.runs');
      }
    }
    if (cpuTest) {
      const multiplier = get('cpu_mulitplier') ? int('cpu_mulitplier') : 1;
      if (runs !== undefined)
        notImported('run_cpu_test', `run_test=1 ${at('run_test')} sets the runs (repeat.runs = ${runs})`);
      else if (multiplier === undefined) {
        // int() has reported the value already.
      } else if (multiplier < 1) fail(get('cpu_mulitplier')!, 'a whole number of CPU threads, at least 1');
      else if (opts.controlNodeCpus === undefined)
        notImported(
          'run_cpu_test',
          `its runs are the control node's CPU threads / cpu_mulitplier (${multiplier}), which this file ` +
            'does not say: give --control-node-cpus, or set repeat.runs in the scenario',
        );
      else {
        runs = Math.max(1, Math.floor(opts.controlNodeCpus / multiplier));
        importedAs('run_cpu_test', 'repeat');
        importedAs('cpu_mulitplier', `repeat.runs (${opts.controlNodeCpus} CPU threads / ${multiplier})`);
      }
    }
    if (runTest === false) importedAs('run_test', 'repeat (0: one run)');
    if (cpuTest === false) importedAs('run_cpu_test', 'repeat (0: one run)');
    if (runs === undefined) {
      if (reboot) notImported('run_reboot_cmd', 'there are no consecutive runs to reboot between');
      else importedAs('run_reboot_cmd', 'repeat.reboot');
      notImported('rule_num_tests', 'used only with run_test=1');
      return undefined;
    }
    importedAs('run_reboot_cmd', 'repeat.reboot');
    return { runs, restartBetween: true, reboot: reboot ?? false };
  }
}

function setIf(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) obj[key] = value;
}

function defined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function isIpv4(s: string): boolean {
  return (
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((o) => Number(o) <= 255)
  );
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
