import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importParams, type ImportResult } from '../../lib/scenario/import-params.ts';
import { readParamsIni } from '../../lib/scenario/params-ini.ts';
import { scenarioSchema } from '../../lib/scenario/schema.ts';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const fixture = (f: string) => readFileSync(data(f), 'utf8');

/** Line numbers of the key = value lines of a params file (the last of a repeated key). */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*([A-Za-z_][\w.-]*)\s*[=:]/.exec(raw);
    if (m && !/^\s*[#;]/.test(raw)) lines.set(m[1]!.toLowerCase(), i + 1);
  });
  return lines;
}

/** Every line a result says something about: imported, a lab note, or a warning. */
function accountedLines(r: ImportResult): Set<number> {
  return new Set([...r.imported, ...r.labNotes, ...r.warnings].map((x) => x.line));
}

const warningAt = (r: ImportResult, line: number) =>
  r.warnings.filter((w) => w.line === line).map((w) => w.message);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repo, 'bin/netscale.js'), 'import-params', ...args], {
      cwd: repo,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('params.ini reader', () => {
  it('keeps # inside values, skips comment lines and reports repeated keys with both lines', () => {
    const ini = readParamsIni('# top\n[A]\nx=1\ncn_env=#LOG_LOCAL=, Y=2\n; old\nx=3\n');
    expect(ini.entries.get('cn_env')?.value).toBe('#LOG_LOCAL=, Y=2');
    expect(ini.entries.get('x')).toMatchObject({ value: '3', line: 6, section: 'A' });
    expect(ini.warnings).toEqual([
      { line: 6, message: expect.stringMatching(/x repeated \(line 3 and line 6\).*last one wins/) },
    ]);
  });
});

describe('importParams', () => {
  it('maps a realistic legacy file onto a valid scenario', () => {
    const r = importParams(readFileSync(data('params-good.ini'), 'utf8'), { name: 'good' });
    expect(r.errors).toEqual([]);
    const s = scenarioSchema.parse(r.scenario);
    // num_iterations=3 takes the first three of each longer list.
    expect(s.iterations).toEqual([
      { instances: 1, agents: 10, routes: 100, importTargets: 1 },
      { instances: 10, agents: 10, routes: 100, importTargets: 1 },
      { instances: 10, agents: 20, routes: 100, importTargets: 1 },
    ]);
    expect(s.parallel).toBe(true);
    expect(s.servers).toEqual(['10.84.7.41', '10.84.7.39']);
    expect(s.operation).toEqual({ kind: 'add_and_flap', flaps: 1 });
    // restart_cn restarted the control node at setup and after deleting the VNs.
    expect(s.controlNode).toEqual({
      env: { XMPP_KEEPALIVE_SECONDS: '300000' },
      restartBefore: true,
      restartAfterDelete: true,
    });
    expect(s.bgpStress.env).toEqual({ XMPP_KEEPALIVE_SECONDS: '300000', XMPP_ASSERT_ON_HOLD_TIMEOUT: '1' });
    expect(s.bgpStress.extraFlags).toContain('--log-level=SYS_EMERG');
    expect(s.bgpStress.timeouts).toMatchObject({ routesAddSeconds: 1800, peersUpSeconds: 600 });
    expect(s.vns).toMatchObject({ deleteBeforeCreate: true, basename: 'c', nblocks: 1 });
    expect(s.cpu.onlyAtPeak).toBe(true);
    expect(s.router.check).toBe(false);
    // run_policy=0; skip_check_and_fix_connectivity_ping=1 switches the agents' reach check off.
    expect(s.policies.create).toBe(false);
    expect(s.connectivityCheck).toEqual({ check: false, sample: 4 });
    expect(s.load).toBe(true);
    // run_cpu_test=1: the number of runs depends on the control node's CPUs, not on this file.
    expect(s.repeat).toEqual({ runs: 1, restartBetween: true, reboot: false });
    expect(warningAt(r, 12)).toEqual([
      expect.stringMatching(
        /^run_cpu_test not imported: its runs are the control node's CPU threads \/ cpu_mulitplier \(8\).*--control-node-cpus/,
      ),
    ]);
    expect(r.labNotes.map((n) => n.message)).toContain(
      'control_node_ips belongs in the lab file: controlNodes[].host',
    );
  });

  it('accounts for every key of every legacy file in test/scenario/data: imported, noted, warned or an error, with its line', () => {
    const files = readdirSync(fileURLToPath(new URL('./data/', import.meta.url))).filter((f) =>
      f.endsWith('.ini'),
    );
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const text = fixture(f);
      const r = importParams(text);
      const said = new Set([...accountedLines(r), ...r.errors.map((e) => e.line)]);
      for (const [key, line] of keyLines(text)) expect(said.has(line), `${f}:${line} ${key}`).toBe(true);
    }
  });

  it('accounts for every key of the file: imported, a lab note or a warning, each with its line', () => {
    for (const f of ['params-good.ini', 'params-vns-only.ini', 'params-runs.ini', 'params-lab-junk.ini']) {
      const text = fixture(f);
      const r = importParams(text);
      expect(r.errors, f).toEqual([]);
      const accounted = accountedLines(r);
      for (const [key, line] of keyLines(text)) expect(accounted.has(line), `${f}:${line} ${key}`).toBe(true);
      // The safety net for keys the mapping reads but left out never fires on these files.
      expect(r.warnings.map((w) => w.message).join('\n'), f).not.toMatch(/leaves the scenario unchanged/);
    }
    const good = importParams(fixture('params-good.ini'));
    expect(good.imported).toContainEqual({ line: 66, key: 'nagents', to: 'iterations[].agents' });
    expect(good.imported).toContainEqual({
      line: 75,
      key: 'timeout_seconds_peers_up',
      to: 'bgpStress.timeouts.peersUpSeconds',
    });
    expect(good.imported).toContainEqual({
      line: 50,
      key: 'skip_check_and_fix_connectivity_ping',
      to: 'connectivityCheck.check (inverse)',
    });
    expect(good.imported).toContainEqual({ line: 46, key: 'run_policy', to: 'policies.create' });
    // Keys without a scenario setting are warnings naming the key, the line and why.
    expect(warningAt(good, 76)).toEqual([
      'sleeptime_between_polls not imported: netscale waits for the condition each fixed sleep stood for, never a fixed time',
    ]);
    for (const line of [46, 50]) expect(warningAt(good, line)).toEqual([]);
  });

  it('imports run_bgp_scale=0 as a VNs-only scenario (load: false), its policy keys, and warns about every sleep key', () => {
    const r = importParams(fixture('params-vns-only.ini'), { name: 'vns' });
    expect(r.errors).toEqual([]);
    const s = scenarioSchema.parse(r.scenario);
    expect(s.load).toBe(false);
    expect(s.vns.create).toBe(true);
    expect(s.iterations).toHaveLength(2);
    expect(s.controlNode).toMatchObject({ restartBefore: true, restartAfterDelete: true });
    expect(r.imported).toContainEqual({ line: 19, key: 'run_bgp_scale', to: 'load' });
    expect(warningAt(r, 19)).toEqual([
      expect.stringContaining('run_bgp_scale=0 imported as load: false (VNs only); the VNs are deleted'),
    ]);
    // Policy_Scale: run_policy=0 keeps them off, the sizes and the prefix are carried.
    expect(s.policies).toEqual({ create: false, count: 4, rules: 10, namePrefix: 'policy_' });
    for (const [line, key, to] of [
      [3, 'npolicies', 'policies.count'],
      [4, 'nrules', 'policies.rules'],
      [5, 'policy_name_prepend_pattern', 'policies.namePrefix'],
      [14, 'run_policy', 'policies.create'],
      [16, 'skip_check_and_fix_connectivity_ping', 'connectivityCheck.check (inverse)'],
    ] as const) {
      expect(r.imported).toContainEqual({ line, key, to });
      expect(warningAt(r, line)).toEqual([]);
    }
    expect(s.connectivityCheck.check).toBe(false);
    expect(warningAt(r, 24)).toEqual([
      expect.stringMatching(/^sleeptime_between_runs not imported: netscale waits/),
    ]);
    expect(warningAt(r, 25)).toEqual([
      expect.stringMatching(/^sleeptime_after_cn_restart not imported: netscale waits/),
    ]);
    // Without run_bgp_scale=0 the same file loads.
    const loaded = importParams(fixture('params-vns-only.ini').replace('run_bgp_scale=0', 'run_bgp_scale=1'));
    expect(scenarioSchema.parse(loaded.scenario).load).toBe(true);
  });

  it('creates the policies with run_policy=1 unless run_setup=0 or npolicies=0, and checks their sizes and prefix', () => {
    const text = fixture('params-vns-only.ini');
    const on = importParams(text.replace('run_policy=0', 'run_policy=1'));
    expect(on.errors).toEqual([]);
    expect(scenarioSchema.parse(on.scenario).policies).toEqual({
      create: true,
      count: 4,
      rules: 10,
      namePrefix: 'policy_',
    });
    // run_setup=0 skips the whole setup: the policies too, and it says so at run_policy's line.
    const noSetup = importParams(
      text.replace('run_policy=0', 'run_policy=1').replace('run_setup=1', 'run_setup=0'),
    );
    expect(scenarioSchema.parse(noSetup.scenario).policies.create).toBe(false);
    expect(warningAt(noSetup, 14)).toEqual([
      'run_policy not imported: run_setup=0 (line 12) skips the policies',
    ]);
    const none = importParams(
      text.replace('run_policy=0', 'run_policy=1').replace('npolicies=4', 'npolicies=0'),
    );
    expect(none.errors).toEqual([]);
    expect(scenarioSchema.parse(none.scenario).policies.create).toBe(false);
    expect(none.imported).toContainEqual({
      line: 3,
      key: 'npolicies',
      to: 'policies.create (0: no policies)',
    });

    const bad = importParams(
      text
        .replace('nrules=10', 'nrules=0')
        .replace('policy_name_prepend_pattern=policy_', 'policy_name_prepend_pattern=9 bad')
        .replace('npolicies=4', 'npolicies=4\npolicy_oper=add_bidr_one_import\nnum_bidir_policies=2'),
    );
    expect(bad.errors).toEqual([
      { line: 6, message: 'nrules: expected from 1 to 1000 rules per policy, found "0"' },
      {
        line: 7,
        message:
          'policy_name_prepend_pattern: expected a name prefix of letters, digits, _ or -, like policy_, found "9 bad"',
      },
    ]);
    expect(warningAt(bad, 4)).toEqual([
      'policy_oper not imported: policy_oper=add_bidr_one_import: netscale creates the policies (add) and removes them after the run',
    ]);
    expect(warningAt(bad, 5)).toEqual([
      'num_bidir_policies not imported: not supported yet: policies connecting pairs of VNs (policies: npolicies x nrules are supported)',
    ]);
    const add = importParams(text.replace('npolicies=4', 'npolicies=4\npolicy_oper=add'));
    expect(add.imported).toContainEqual({
      line: 4,
      key: 'policy_oper',
      to: 'policies (add: created at setup, removed after the run)',
    });
  });

  it('takes consecutive runs from rule_num_tests and the hold time of add_and_hold from sleeptime_hold', () => {
    const r = importParams(fixture('params-runs.ini'));
    expect(r.errors).toEqual([]);
    const s = scenarioSchema.parse(r.scenario);
    expect(s.repeat).toEqual({ runs: 3, restartBetween: true, reboot: true });
    expect(s.operation).toEqual({ kind: 'add_and_hold', holdSeconds: 120 });
    expect(r.imported).toContainEqual({ line: 9, key: 'rule_num_tests', to: 'repeat.runs' });
    expect(r.imported).toContainEqual({ line: 16, key: 'sleeptime_hold', to: 'operation.holdSeconds' });
    expect(warningAt(r, 17)).toEqual([expect.stringMatching(/^sleeptime_flap not imported: netscale waits/)]);
    // A different rule_num_tests gives a different count: the value is read, not a constant.
    const five = importParams(fixture('params-runs.ini').replace('rule_num_tests=3', 'rule_num_tests=5'));
    expect(scenarioSchema.parse(five.scenario).repeat.runs).toBe(5);
    // sleeptime_hold without add_and_hold is not imported, and says why.
    const plain = importParams(fixture('params-runs.ini').replace('bgp_oper=add_and_hold', 'bgp_oper=add'));
    expect(warningAt(plain, 16)).toEqual([
      'sleeptime_hold not imported: used only with bgp_oper=add_and_hold (bgp_oper is add)',
    ]);
  });

  it('derives run_cpu_test runs from the control node CPU threads and cpu_mulitplier when given them', () => {
    const without = importParams(fixture('params-cpu-runs.ini'));
    expect(without.errors).toEqual([]);
    expect(scenarioSchema.parse(without.scenario).repeat.runs).toBe(1);
    expect(warningAt(without, 3)).toEqual([expect.stringContaining('give --control-node-cpus')]);
    const r = importParams(fixture('params-cpu-runs.ini'), { controlNodeCpus: 32 });
    expect(r.errors).toEqual([]);
    expect(scenarioSchema.parse(r.scenario).repeat).toEqual({ runs: 4, restartBetween: true, reboot: true });
    expect(r.imported).toContainEqual({
      line: 5,
      key: 'cpu_mulitplier',
      to: 'repeat.runs (32 CPU threads / 8)',
    });
    expect(warningAt(r, 6)).toEqual([
      "set_affinity_mask not imported: not supported yet: changing the control node's CPU affinity",
    ]);
  });

  it('warns about a malformed lab-file value naming key, line and what was expected, never the value', () => {
    const text = fixture('params-lab-junk.ini');
    const r = importParams(text);
    expect(r.errors).toEqual([]);
    const lab = (line: number, key: string, to: string, expected: string) => ({
      line,
      message: `${key} (lab file: ${to}): expected ${expected}, found a value that is not one (not shown: lab-file values are never echoed)`,
    });
    expect(r.warnings).toEqual([
      lab(
        5,
        'control_node_ips',
        'controlNodes[].host',
        'IPv4 addresses separated by commas, like 10.84.7.41, 10.84.7.42',
      ),
      lab(7, 'api_server_ip', 'configApi.url', 'an IPv4 address like 10.84.7.40'),
      lab(8, 'api_server_port', 'configApi.url', 'a port number from 1 to 65535'),
      lab(19, 'xmpp_src_prefix_len', 'testServers[].sourcePrefixLength', 'a prefix length from 0 to 32'),
    ]);
    // Well-formed lab keys stay notes.
    expect(r.labNotes.map((n) => n.line)).toEqual([2, 3, 11, 12, 18]);
    const everything = JSON.stringify(r);
    for (const secret of ['Sup3rSecret!', 'Jun1per!', 'SANDESH', '10.84.7.400', 'a2s42-mgmt'])
      expect(everything).not.toContain(secret);
  });

  it('reports junk values as errors with key and line, repeated and unknown keys as warnings', () => {
    const r = importParams(readFileSync(data('params-junk.ini'), 'utf8'));
    expect(r.errors).toEqual([
      {
        line: 9,
        message: expect.stringMatching(
          /^num_iterations: expected a whole number, found "2013-08-13 12:00:01/,
        ),
      },
      { line: 13, message: expect.stringMatching(/^nroutes: .*item "x200" is not one/) },
    ]);
    expect(r.warnings).toContainEqual({
      line: 9,
      message: expect.stringContaining('num_iterations repeated (line 8 and line 9)'),
    });
    expect(r.warnings).toContainEqual({
      line: 16,
      message: 'unknown key foo_bar_knob in [BGP_Scale]: ignored',
    });
    expect(r.warnings).toContainEqual({ line: 17, message: expect.stringContaining('not "key = value"') });
    expect(r.warnings).toContainEqual({
      line: 15,
      message: expect.stringMatching(/^sleeptime_between_polls not imported: netscale waits/),
    });
  });

  it('rejects per-iteration lists shorter than num_iterations and unknown operations', () => {
    const r = importParams(readFileSync(data('params-short.ini'), 'utf8'));
    expect(r.errors).toEqual([
      {
        line: 5,
        message:
          'nagents: has 2 value(s) but num_iterations is 3: each per-iteration list needs at least num_iterations values',
      },
      { line: 7, message: 'bgp_oper: expected add, add_and_hold or add_and_flap, found "add_and_spin"' },
      {
        line: 9,
        message: 'test_server_iterations: needs test_server_iterations_start_server (the first address)',
      },
    ]);
  });

  it('reports missing required keys', () => {
    const r = importParams('[BGP_Scale]\nnagents=1\n');
    expect(r.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('num_iterations: missing'),
      expect.stringContaining('ninstances: missing'),
      expect.stringContaining('nroutes: missing'),
    ]);
  });
});

describe('netscale import-params', () => {
  it('writes YAML with -o, prints JSON with --json, never echoes passwords', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ns-import-')), 'scenario.yaml');
    const written = await cli(data('params-good.ini'), '-o', out);
    expect(written.code).toBe(0);
    const yaml = parse(readFileSync(out, 'utf8'));
    expect(scenarioSchema.parse(yaml).iterations).toHaveLength(3);
    expect(written.stderr).toMatch(/params-good\.ini:18: warning: cpu_mulitplier not imported/);
    expect(written.stderr).toMatch(/params-good\.ini:76: warning: sleeptime_between_polls not imported/);

    const json = await cli(data('params-good.ini'), '--json');
    expect(json.code).toBe(0);
    const scenario = JSON.parse(json.stdout);
    expect(scenario).toMatchObject({
      name: 'params-good',
      parallel: true,
      bgpStress: { nevents: -1, pause: true },
    });

    for (const text of [written.stderr, json.stdout, json.stderr, readFileSync(out, 'utf8')]) {
      expect(text).not.toContain('c0ntrail123');
      expect(text).not.toContain('s3cretRoot');
      expect(text).not.toContain('Juniper1');
    }
  });

  it('--control-node-cpus turns run_cpu_test into repeat.runs; a bad count is refused', async () => {
    const r = await cli(data('params-cpu-runs.ini'), '--json', '--control-node-cpus', '16');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).repeat).toEqual({ runs: 2, restartBetween: true, reboot: true });
    const bad = await cli(data('params-cpu-runs.ini'), '--json', '--control-node-cpus', 'many');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a whole number of CPU threads');
  });

  it('exits non-zero naming key and line for a junk file and writes nothing', async () => {
    const r = await cli(data('params-junk.ini'), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/params-junk\.ini:9: error: num_iterations: expected a whole number/);
    expect(r.stderr).toMatch(/params-junk\.ini:16: warning: unknown key foo_bar_knob/);
    expect(r.stderr).not.toContain('hunter2secret');
  });
});
