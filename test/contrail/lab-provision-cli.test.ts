/**
 * `netscale lab provision [--remove]` over a lab file whose config API is the emulator's (in-process):
 * one line per bgp-router, created / exists, and on --remove removed / not ours, kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { labProvision, registerLabProvision } from '../../lib/cli/commands/lab-provision.ts';
import { FABRIC_INSTANCE } from '../../lib/contrail/config-api-client.ts';
import { ConfigApiServer } from '../../sim/control-node/config-api-server.ts';
import { ConfigStore } from '../../sim/control-node/config-store.ts';

describe('netscale lab provision', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netscale-provision-'));
  const labFile = path.join(dir, 'lab.yaml');
  const noEnv = path.join(dir, 'none.env');
  const store = new ConfigStore();
  const server = new ConfigApiServer(store);

  beforeAll(async () => {
    await server.start('127.0.0.1', 0);
    writeFileSync(
      labFile,
      [
        'name: provision-test',
        // Its own lab lock and change record (provisioning runs under them).
        `stateDir: ${path.join(dir, 'state')}`,
        'hosts:',
        '  cn1: { transport: local, address: 10.84.7.42 }',
        '  api: { transport: local, address: 127.0.0.1 }',
        '  mx80: { transport: local, address: 10.84.7.250 }',
        'controlNodes:',
        '  - host: cn1',
        '    introspect: http://127.0.0.1:1',
        '    bgpRouter: {}',
        'configApi:',
        '  host: api',
        `  url: http://127.0.0.1:${server.port}`,
        'routers:',
        '  - host: mx80',
        '    bgpRouter: { name: rtr-mx80-1 }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates what is missing, then finds it; --remove deletes only its own and keeps a same-named one', async () => {
    const lines = await labProvision({ lab: labFile, dotenv: noEnv });
    expect(lines).toBe(
      'bgp-router cn1 (controlNodes[0].bgpRouter): created\n' +
        'bgp-router rtr-mx80-1 (routers[0].bgpRouter): created\n',
    );
    expect(await labProvision({ lab: labFile, dotenv: noEnv })).toBe(
      'bgp-router cn1 (controlNodes[0].bgpRouter): exists\n' +
        'bgp-router rtr-mx80-1 (routers[0].bgpRouter): exists\n',
    );

    // rtr-mx80-1 deleted and made again by someone else (no mark).
    const mx = store.fqNameToId('bgp-router', [...FABRIC_INSTANCE, 'rtr-mx80-1'])!;
    store.deleteObject('bgp-router', mx);
    store.createBgpRouter({
      fq_name: [...FABRIC_INSTANCE, 'rtr-mx80-1'],
      parent_type: 'routing-instance',
      bgp_router_parameters: { router_type: 'router', vendor: 'mx', address: '10.84.7.250' },
    });

    // Through the registered command, as `netscale lab provision --remove` runs it.
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      const program = new Command('netscale').exitOverride();
      registerLabProvision(program.command('lab'));
      await program.parseAsync([
        'node',
        'netscale',
        'lab',
        'provision',
        '--remove',
        '--lab',
        labFile,
        '--dotenv',
        noEnv,
      ]);
    } finally {
      write.mockRestore();
    }
    expect(out).toMatch(
      /^bgp-router cn1 \(controlNodes\[0\]\.bgpRouter\): removed \(created by run [\w-]+\)\nbgp-router rtr-mx80-1 \(routers\[0\]\.bgpRouter\): not ours, kept\n$/,
    );
    expect([...store.bgpRouters.values()].map((r) => r.fq_name.at(-1))).toEqual(['rtr-mx80-1']);
  });

  it('says so when the lab file has no bgpRouter sections', async () => {
    const bare = path.join(dir, 'bare.yaml');
    writeFileSync(
      bare,
      [
        'name: bare',
        `stateDir: ${path.join(dir, 'state')}`,
        'hosts: { cn1: { transport: local, address: 10.84.7.42 } }',
        'controlNodes: [{ host: cn1, introspect: "http://127.0.0.1:1" }]',
        `configApi: { host: cn1, url: "http://127.0.0.1:${server.port}" }`,
        '',
      ].join('\n'),
    );
    expect(await labProvision({ lab: bare, dotenv: noEnv })).toBe(
      `no bgp-routers in ${bare}: add a bgpRouter section to controlNodes[] or routers[]\n`,
    );
  });
});
