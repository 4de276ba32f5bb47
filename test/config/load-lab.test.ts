/** Lab file and .env validation: every problem names the file, the key, what was expected and what was found. */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabFile, readEmbeddedSection } from '../../lib/config/load-lab.ts';
import { embeddedVars } from '../../lib/lab/embedded-control-node.ts';
import { loadEnv } from '../../lib/config/env.ts';
import { ConfigError } from '../../lib/config/config-error.ts';
import { openLab } from '../../lib/lab/open-lab.ts';
import { redact } from '../../lib/log/redact.ts';
import { labDir, type LabDir } from '../support/lab-files.ts';

function validLab(keyFile: string) {
  return {
    name: 'contrail-a2',
    defaults: { user: 'root', auth: { password: '${LAB_SSH_PASSWORD}' }, knownHosts: 'accept-new' },
    hosts: {
      a2s40: { address: '127.0.0.1' },
      a2s41: { address: '127.0.0.2', auth: { keyFile, passphrase: '${LAB_KEY_PASSPHRASE}' } },
      mx80: { address: '127.0.0.3', port: 2222 },
    },
    controlNodes: [{ host: 'a2s40', introspect: 'http://127.0.0.1:8083' }],
    configApi: { host: 'a2s40', url: 'http://127.0.0.1:8082' },
    testServers: [{ host: 'a2s41' }],
    routers: [{ host: 'mx80' }],
  };
}

const vars = { LAB_SSH_PASSWORD: 'pw-Secret-1931', LAB_KEY_PASSPHRASE: 'pp-Secret-7717' };

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('lab file loading', () => {
  let d: LabDir;
  let keyFile: string;
  beforeAll(async () => {
    d = await labDir();
    keyFile = await d.write('id_test', 'not really a key, but a file');
  });
  afterAll(() => d.remove());

  it('loads a valid file: defaults merged, ${VAR} resolved, secrets registered for redaction', async () => {
    const file = await d.write('good.yaml', validLab('id_test'));
    const lab = loadLabFile(file, vars);
    expect(lab.hosts.a2s40).toMatchObject({
      transport: 'ssh',
      port: 22,
      user: 'root',
      auth: { password: vars.LAB_SSH_PASSWORD },
    });
    expect(lab.hosts.a2s41!.auth).toEqual({ keyFile, passphrase: vars.LAB_KEY_PASSPHRASE });
    expect(lab.hosts.mx80!.port).toBe(2222);
    expect(lab.config.testServers[0]!.bgpStressPath).toBe('bgp_stress_test');
    expect(redact(`login with ${vars.LAB_SSH_PASSWORD} and ${vars.LAB_KEY_PASSPHRASE}`)).toBe(
      'login with *** and ***',
    );
  });

  it('unknown role key', async () => {
    const file = await d.write('unknown-role.yaml', {
      ...validLab('id_test'),
      testServer: [{ host: 'a2s41' }],
    });
    const msg = problemsOf(() => loadLabFile(file, vars));
    expect(msg).toContain(
      `${file}: testServer: unknown key "testServer" (expected one of: name, defaults, hosts, controlNodes, configApi, testServers`,
    );
  });

  it('unknown key inside a role entry lists that entry keys', async () => {
    const lab = validLab('id_test');
    const file = await d.write('unknown-field.yaml', {
      ...lab,
      testServers: [{ host: 'a2s41', bgpStresPath: '/x' }],
    });
    expect(problemsOf(() => loadLabFile(file, vars))).toMatch(
      /testServers\[0\]\.bgpStresPath: unknown key "bgpStresPath" \(expected one of: host, bgpStressPath/,
    );
  });

  it('role naming a missing host', async () => {
    const lab = validLab('id_test');
    const file = await d.write('missing-host.yaml', {
      ...lab,
      testServers: [{ host: 'a2s41' }, { host: 'ts9' }],
    });
    expect(problemsOf(() => loadLabFile(file, vars))).toContain(
      `${file}: testServers[1].host: unknown host "ts9" (hosts are: a2s40, a2s41, mx80)`,
    );
  });

  it('a lab with neither a control node nor a traffic generator names controlNodes', async () => {
    const { controlNodes: _cn, configApi: _api, ...lab } = validLab('id_test');
    const file = await d.write('nothing-to-test.yaml', lab);
    expect(problemsOf(() => loadLabFile(file, vars))).toContain(
      `${file}: controlNodes: expected at least one control node or traffic generator (a lab tests something)`,
    );
  });

  it('labs/netns.yaml: a data-plane lab without a control node is valid', () => {
    const lab = loadLabFile('labs/netns.yaml', {});
    expect(lab.config.controlNodes).toEqual([]);
    expect(lab.config.trafficGenerators[0]?.kind).toBe('netns');
  });

  it('bad port', async () => {
    const lab = validLab('id_test');
    lab.hosts.mx80.port = 70000;
    const file = await d.write('bad-port.yaml', lab);
    const msg = problemsOf(() => loadLabFile(file, vars));
    expect(msg).toContain(`${file}: hosts.mx80.port:`);
    expect(msg).toMatch(/<=65535, found 70000/);
  });

  it('missing key file, resolved relative to the lab file', async () => {
    const file = await d.write('missing-key.yaml', validLab('keys/nope'));
    expect(problemsOf(() => loadLabFile(file, vars))).toContain(
      `${file}: hosts.a2s41.auth.keyFile: expected an existing private key file, found no file at ${d.dir}/keys/nope`,
    );
  });

  it('missing ${VAR}', async () => {
    const file = await d.write('missing-var.yaml', validLab('id_test'));
    expect(problemsOf(() => loadLabFile(file, { LAB_KEY_PASSPHRASE: 'x' }))).toContain(
      `${file}: defaults.auth.password: expected environment variable LAB_SSH_PASSWORD (referenced as \${LAB_SSH_PASSWORD}), found it unset`,
    );
  });

  it('schema problems are reported before cross-reference checks; YAML syntax errors give their line', async () => {
    const lab = validLab('keys/nope');
    lab.hosts.mx80.port = 0;
    const file = await d.write('many.yaml', { ...lab, routers: [{ host: 'mx81' }] });
    expect(problemsOf(() => loadLabFile(file, vars)).split('\n')).toHaveLength(1);
    const broken = await d.write('broken.yaml', 'name: x\nhosts: [a, b\n');
    expect(problemsOf(() => loadLabFile(broken, vars))).toMatch(
      new RegExp(`^${broken}: line \\d+: YAML syntax error`),
    );
  });

  it('a missing lab file names the LAB value', () => {
    expect(problemsOf(() => loadLabFile('/nonexistent/lab.yaml', vars))).toContain(
      'expected a lab file (LAB=/nonexistent/lab.yaml), found no such file',
    );
  });
});

describe('.env validation and openLab', () => {
  let d: LabDir;
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    d = await labDir();
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await d.remove();
  });

  it('a bad value in .env names the file and the variable', async () => {
    const envFile = await d.write('.env', 'NETSCALE_RUN_ID=has spaces\nNETSCALE_LOG_LEVEL=loud\n');
    const msg = problemsOf(() => loadEnv({ envFile, env: {} }));
    expect(msg).toContain(
      `${envFile}: NETSCALE_RUN_ID: expected 1-64 letters, digits, ".", "_" or "-", found "has spaces"`,
    );
    expect(msg).toMatch(new RegExp(`${envFile}: NETSCALE_LOG_LEVEL: .*found "loud"`));
  });

  it('.env values fill in, the real environment wins, LAB defaults to sim', async () => {
    const envFile = await d.write('.env2', 'NETSCALE_RUN_ID=from-file\nNETSCALE_REPORTS_DIR=out\n');
    const env: NodeJS.ProcessEnv = { NETSCALE_RUN_ID: 'from-env' };
    const loaded = loadEnv({ envFile, env });
    expect(loaded.env).toMatchObject({
      LAB: 'sim',
      NETSCALE_RUN_ID: 'from-env',
      NETSCALE_REPORTS_DIR: 'out',
    });
    expect(env.NETSCALE_REPORTS_DIR).toBe('out');
  });

  it('invalid config fails before any host is contacted', async () => {
    const lab = validLab('id_test');
    const file = await d.write('lab.yaml', {
      ...lab,
      hosts: { ...lab.hosts, a2s40: { address: '127.0.0.1', port } },
      routers: [{ host: 'nope' }],
    });
    await expect(
      openLab({ lab: file, env: { ...vars }, envFile: `${d.dir}/none.env`, handleSignals: false }),
    ).rejects.toThrow(/routers\[0\]\.host: unknown host "nope"/);
    expect(connections).toBe(0);
  });

  it('openLab builds hosts and roles, with a generated run id', async () => {
    await d.write('id_test', 'key');
    const file = await d.write('ok.yaml', validLab('id_test'));
    const lab = await openLab({
      lab: file,
      env: { ...vars },
      envFile: `${d.dir}/none.env`,
      handleSignals: false,
    });
    try {
      expect(lab.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
      expect(lab.embedded).toBeUndefined();
      expect(Object.keys(lab.hosts)).toEqual(['a2s40', 'a2s41', 'mx80']);
      expect(lab.configApi?.host).toBe(lab.hosts.a2s40);
      expect(lab.testServers[0]!.host.address).toBe('127.0.0.2');
      expect(lab.rolesOf('a2s40')).toEqual(['controlNodes[0]', 'configApi']);
      expect(lab.hosts.a2s40!.runTag).toBe(lab.runId);
    } finally {
      await lab.close();
    }
  });
});

describe('shipped lab files', () => {
  it('labs/example-contrail.yaml is valid and binds the seed lab roles', () => {
    const lab = loadLabFile('labs/example-contrail.yaml', {
      LAB_SSH_PASSWORD: 'x-pass-1',
      CONFIG_API_PASSWORD: 'x-pass-2',
    });
    expect(lab.config.controlNodes.map((c) => c.host)).toEqual(['a2s42', 'a2s40']);
    expect(lab.config.testServers.map((t) => t.host)).toEqual(['a2s41', 'a2s39']);
    expect(lab.hosts.a2s41!.auth).toEqual({ agent: true });
    expect(lab.hosts.mg1).toMatchObject({ jump: 'a2s40', user: 'root', auth: { password: 'x-pass-1' } });
    expect(lab.hosts.mx80!.user).toBe('regress');
    expect(lab.isSim).toBe(false);
  });

  it('LAB=sim loads the bundled labs/sim.yaml with the endpoints its control node bound', () => {
    const vars = embeddedVars(
      {
        xmpp: { host: '127.0.0.1', port: 40001 },
        introspect: 'http://127.0.0.1:40002',
        configApi: 'http://127.0.0.1:40003',
      },
      '/tmp/cn.pid',
    );
    const lab = loadLabFile('sim', vars);
    expect(lab.isSim).toBe(true);
    expect(Object.values(lab.hosts).every((h) => h.transport === 'local')).toBe(true);
    expect(lab.config.controlNodes[0]).toMatchObject({
      xmppPort: 40001,
      introspect: 'http://127.0.0.1:40002',
      process: { pidFile: '/tmp/cn.pid' },
    });
    expect(lab.config.controlNodes[0]!.restartCommand).toContain('http://127.0.0.1:40002/sim/fault');
    expect(lab.config.configApi?.url).toBe('http://127.0.0.1:40003');
    expect(readEmbeddedSection('sim')?.sim).toMatchObject({ host: 'local', xmppPort: 15269 });
  });

  it('an embedded-lab file read without its control node names the missing variables', () => {
    expect(() => loadLabFile('sim', {})).toThrow(
      /controlNodes\[0\]\.xmppPort: expected environment variable NETSCALE_SIM_XMPP_PORT/,
    );
  });
});
