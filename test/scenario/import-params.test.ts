import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importParams } from '../../lib/scenario/import-params.ts';
import { readParamsIni } from '../../lib/scenario/params-ini.ts';
import { scenarioSchema } from '../../lib/scenario/schema.ts';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

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
    expect(s.controlNode).toEqual({
      env: { XMPP_KEEPALIVE_SECONDS: '300000' },
      restartBefore: true,
      restartAfterDelete: false,
    });
    expect(s.bgpStress.env).toEqual({ XMPP_KEEPALIVE_SECONDS: '300000', XMPP_ASSERT_ON_HOLD_TIMEOUT: '1' });
    expect(s.bgpStress.extraFlags).toContain('--log-level=SYS_EMERG');
    expect(s.bgpStress.timeouts).toMatchObject({ routesAddSeconds: 1800, peersUpSeconds: 600 });
    expect(s.vns).toMatchObject({ deleteBeforeCreate: true, basename: 'c', nblocks: 1 });
    expect(s.cpu.onlyAtPeak).toBe(true);
    expect(s.router.check).toBe(false);
    expect(s.repeat).toEqual({ runs: 2, restartBetween: true, reboot: false });
    expect(r.labNotes.map((n) => n.message)).toContain(
      'control_node_ips belongs in the lab file: controlNodes[].host',
    );
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

  it('exits non-zero naming key and line for a junk file and writes nothing', async () => {
    const r = await cli(data('params-junk.ini'), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/params-junk\.ini:9: error: num_iterations: expected a whole number/);
    expect(r.stderr).toMatch(/params-junk\.ini:16: warning: unknown key foo_bar_knob/);
    expect(r.stderr).not.toContain('hunter2secret');
  });
});
