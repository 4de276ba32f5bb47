/**
 * Converts a legacy params.ini into a scenario (the schema in ./schema.ts).
 *
 *   importParams(text, { name? }) -> { scenario (ScenarioInput), warnings, errors, labNotes }
 *
 * - Repeated keys: last wins, warning with both line numbers (see params-ini.ts).
 * - Unknown keys: warning with the line number.
 * - A value the scenario needs that does not parse (a log line pasted into
 *   num_iterations, "1,2,x" in nagents, ...) or a per-iteration list shorter
 *   than num_iterations: error naming the key, the line, what was expected
 *   and what was found. Callers exit non-zero when errors is not empty.
 * - Keys that describe the lab (addresses, commands, credentials) do not go
 *   into a scenario: they are listed in labNotes with the lab-file key they
 *   become. Their values are never echoed (some are passwords).
 */
import { scenarioSchema, type ScenarioInput } from './schema.ts';
import { formatIssues } from './load.ts';
import { readParamsIni, type IniEntry, type IniProblem } from './params-ini.ts';

export interface ImportResult {
  scenario: ScenarioInput;
  warnings: IniProblem[];
  errors: IniProblem[];
  /** Lab-file settings found in the params file: `line: key -> lab file key`. */
  labNotes: IniProblem[];
}

/** Keys that belong to the lab file, with where they go there. */
const LAB_KEYS: Record<string, string> = {
  username: 'configApi.username',
  password: 'configApi.password (as ${CONFIG_API_PASSWORD})',
  ssh_username: 'hosts.<name>.user',
  ssh_password: 'hosts.<name>.auth.password (as ${LAB_SSH_PASSWORD})',
  control_node_ips: 'controlNodes[].host',
  api_server_ip: 'configApi.url',
  api_server_port: 'configApi.url',
  reboot_cmd: 'controlNodes[].rebootCommand',
  start_bgp_test_cmd: 'testServers[].bgpStressPath',
  restart_cn_cmd: 'controlNodes[].restartCommand',
  cn_restart_cmd: 'controlNodes[].restartCommand',
  cn_stop_cmd: 'controlNodes[].stopCommand',
  stop_cn_cmd: 'controlNodes[].stopCommand',
  rtr_ips: 'routers[].host',
  rtr_username: 'hosts.<router>.user',
  rtr_password: 'hosts.<router>.auth.password (as ${ROUTER_PASSWORD})',
  rtr_cli_show_bgp_neighbor_cmd: 'routers[].showBgpNeighborCommand',
  rtr_bgp_up_state: 'routers[].bgpUpState',
  skip_check_and_fix_connectivity: 'testServers[].addSecondaryAddresses (inverse)',
  xmpp_src: 'testServers[].xmppSource',
  xmpp_src_prefix_len: 'testServers[].sourcePrefixLength',
  run_dir: 'testServers[].workDir',
  logdir_name: 'NETSCALE_REPORTS_DIR',
};

/** Keys read by the mapping below. */
const SCENARIO_KEYS = new Set([
  'num_iterations',
  'ninstances',
  'nagents',
  'nroutes',
  'import_targets_per_instance',
  'run_bgp_scale',
  'run_bgp_scale_in_background',
  'bgp_oper',
  'skip_rtr_check',
  'check_bgp_up',
  'no_verify_routes',
  'report_cpu_only_at_peak_bgp_scale',
  'ri_domain_name',
  'ri_proj_name',
  'test_id',
  'use_xmpp_start_prefix',
  'xmpp_start_prefix',
  'bgp_env',
  'logging_etc',
  'run_setup',
  'run_vn',
  'vn_basename',
  'nblocks_of_vns',
  'start_block_num',
  'del_vn_before_create',
  'delete_vns_after_run',
  'vn_net_prefix_len',
  'restart_cn',
  'add_cn_env_vars',
  'cn_env',
  'run_cpu_test',
  'run_reboot_cmd',
  'test_servers',
  'test_server_ips',
  'test_server_iterations',
  'test_server_iterations_start_server',
  'flap_count',
  'nflaps',
  'hold_seconds',
]);

/** Keys the legacy harness had that netscale does differently; recognised, not imported. */
const OBSOLETE_KEYS: Record<string, string> = {
  run_policy: 'policies are not created by netscale scenarios',
  rt_per_block_enabled: 'route targets per block are not modelled',
  family: 'bgp_stress_test sends inet routes (its default family)',
  nh: 'the next hop is derived per test server',
  cpu_mulitplier: 'CPU is sampled from /proc; no multiplier needed',
  set_affinity_mask: 'CPU affinity is not changed by netscale',
  result_averages_logfilename: 'the summary is reports/runs/<run-id>/results_summary.txt',
  run_get_result_prior_run: 'use `netscale summarize reports/runs/<run-id>`',
  report_stats_before_and_after_tests: 'CPU and memory are sampled for the whole run',
  install_w_yum: 'install bgp_stress_test on the test servers yourself',
};

/** Prefixes of legacy key families that are recognised but not imported. */
const OBSOLETE_PREFIXES = ['sleeptime_', 'install_', 'skip_check_and_fix_', 'policy_', 'npolicies', 'nrules'];

const TIMEOUT_KEY = /^timeout_(minutes|seconds)_(\w+)$/;

export function importParams(text: string, opts: { name?: string } = {}): ImportResult {
  const ini = readParamsIni(text);
  const warnings = [...ini.warnings];
  const errors: IniProblem[] = [];
  const labNotes: IniProblem[] = [];
  const get = (key: string): IniEntry | undefined => ini.entries.get(key);

  const fail = (e: IniEntry, expected: string) =>
    errors.push({
      line: e.line,
      message: `${e.key}: expected ${expected}, found ${JSON.stringify(clip(e.value))}`,
    });

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

  // Unknown and lab keys first, so the reader sees them in file order.
  for (const e of [...ini.entries.values()].sort((a, b) => a.line - b.line)) {
    const labKey = LAB_KEYS[e.key];
    if (labKey) labNotes.push({ line: e.line, message: `${e.key} belongs in the lab file: ${labKey}` });
    else if (OBSOLETE_KEYS[e.key])
      warnings.push({ line: e.line, message: `${e.key} not imported: ${OBSOLETE_KEYS[e.key]}` });
    else if (OBSOLETE_PREFIXES.some((p) => e.key.startsWith(p))) continue;
    else if (!SCENARIO_KEYS.has(e.key) && !TIMEOUT_KEY.test(e.key)) {
      warnings.push({
        line: e.line,
        message: `unknown key ${e.key}${e.section ? ` in [${e.section}]` : ''}: ignored`,
      });
    }
  }

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
  }
  if (bool('run_bgp_scale') === false) {
    warnings.push({
      line: get('run_bgp_scale')!.line,
      message:
        'run_bgp_scale=0: the scenario still loads routes; run only VN setup with `vns` and a small iteration',
    });
  }
  setIf(scenario, 'parallel', bool('run_bgp_scale_in_background'));

  // Servers: a list, or consecutive addresses.
  const serverIterations = int('test_server_iterations');
  const startServer = get('test_server_iterations_start_server');
  const serverList = get('test_servers') ?? get('test_server_ips');
  if (serverIterations && serverIterations > 0) {
    if (!startServer || !isIpv4(startServer.value)) {
      if (startServer) fail(startServer, 'an IPv4 address');
      else
        errors.push({
          line: get('test_server_iterations')!.line,
          message: 'test_server_iterations: needs test_server_iterations_start_server (the first address)',
        });
    } else scenario.servers = { start: startServer.value, count: serverIterations };
  } else if (serverList && serverList.value) {
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
    else scenario.servers = items;
  }

  // Operation.
  const oper = get('bgp_oper');
  if (oper) {
    const kind = oper.value.toLowerCase();
    if (kind === 'add') scenario.operation = { kind };
    else if (kind === 'add_and_hold')
      scenario.operation = { kind, ...defined({ holdSeconds: int('hold_seconds') }) };
    else if (kind === 'add_and_flap')
      scenario.operation = { kind, ...defined({ flaps: int('flap_count') ?? int('nflaps') }) };
    else fail(oper, 'add, add_and_hold or add_and_flap');
  }

  // Checks.
  const skipRtr = bool('skip_rtr_check');
  const checkBgpUp = bool('check_bgp_up');
  if (skipRtr !== undefined || checkBgpUp !== undefined) scenario.router = { check: checkBgpUp ?? !skipRtr };
  const noVerify = bool('no_verify_routes');
  if (noVerify !== undefined) scenario.verifyRoutes = !noVerify;
  const cpuAtPeak = bool('report_cpu_only_at_peak_bgp_scale');
  if (cpuAtPeak !== undefined) scenario.cpu = { onlyAtPeak: cpuAtPeak };

  // VNs.
  const runSetup = bool('run_setup');
  const runVn = bool('run_vn');
  const vns = defined({
    create: runSetup === false ? false : runVn,
    basename: get('vn_basename')?.value || undefined,
    nblocks: int('nblocks_of_vns'),
    startBlock: int('start_block_num'),
    deleteBeforeCreate: bool('del_vn_before_create'),
    deleteAfterRun: bool('delete_vns_after_run'),
    prefixLen: int('vn_net_prefix_len'),
    domain: get('ri_domain_name')?.value || undefined,
    project: get('ri_proj_name')?.value || undefined,
  });
  if (Object.keys(vns).length) scenario.vns = vns;

  // Control node.
  const addEnv = bool('add_cn_env_vars');
  const restartCn = bool('restart_cn');
  const cnEnv = envList('cn_env');
  const controlNode = defined({
    env: addEnv === false || runSetup === false ? undefined : cnEnv,
    restartBefore: runSetup === false ? undefined : restartCn,
  });
  if (Object.keys(controlNode).length) scenario.controlNode = controlNode;

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
    if (target) timeouts[target] = seconds;
    else
      warnings.push({
        line: e.line,
        message: `${e.key}: no matching netscale timeout (peers up, routes add, routes delete, exit): ignored`,
      });
  }
  const useStartPrefix = bool('use_xmpp_start_prefix');
  const startPrefix = get('xmpp_start_prefix');
  if (useStartPrefix && startPrefix && !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(startPrefix.value))
    fail(startPrefix, 'a prefix like 10.1.0.0/32');
  const bgpStress = defined({
    testId: int('test_id'),
    env: envList('bgp_env'),
    extraFlags: get('logging_etc')?.value || undefined,
    xmppPrefix: useStartPrefix ? startPrefix?.value : undefined,
    timeouts: Object.keys(timeouts).length ? timeouts : undefined,
  });
  if (Object.keys(bgpStress).length) scenario.bgpStress = bgpStress;

  // Consecutive CPU runs with a restart (or reboot) between them.
  if (bool('run_cpu_test'))
    scenario.repeat = { runs: 2, restartBetween: true, reboot: bool('run_reboot_cmd') ?? false };

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
  return { scenario: scenario as ScenarioInput, warnings, errors, labNotes };
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
