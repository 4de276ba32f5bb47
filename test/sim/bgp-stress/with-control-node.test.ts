import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient, ESTABLISHED } from '../../../lib/contrail/introspect-client.ts';
import { buildArgs } from '../../../lib/bgpstress/command.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sim/bin/bgp_stress_test');

let lab: TestControlNode;
beforeAll(async () => {
  lab = await startControlNode();
});
afterAll(() => lab?.stop());

it('100 agents from one bgp_stress_test are 100 Established XMPP neighbors and their routes are in the route summary', async () => {
  const api = new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' });
  for (const vn of ['cnt_n1', 'cnt_n2']) await api.createVirtualNetwork(vn);
  const args = buildArgs({
    nagents: 100,
    ninstances: 2,
    nroutes: 3,
    testId: 1,
    instanceName: 'cnt_n',
    xmppServer: lab.endpoints.xmpp.host,
    xmppPort: lab.endpoints.xmpp.port,
    xmppSource: '127.20.0.1',
    pause: true,
    extraFlags: '--no-agents-updates-processing --no-verify-routes',
  });
  const child = execa(BIN, args, { reject: false, timeout: 60_000, stdin: 'pipe' });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const introspect = new IntrospectClient(lab.endpoints.introspect);
  const table = 'default-domain:admin:cnt_n1:cnt_n1.inet.0';
  await vi.waitFor(
    async () => {
      const neighbors = await introspect.neighbors();
      expect(neighbors.filter((n) => n.encoding === 'XMPP' && n.state === ESTABLISHED)).toHaveLength(100);
      const summary = await introspect.routeSummary(table);
      expect(summary.find((t) => t.name === table)?.prefixes).toBe(300);
    },
    { timeout: 30_000, interval: 100 },
  );
  expect(out).toContain('Pause after initial setup is complete');
  child.stdin!.end();
  const r = await child;
  expect(r.exitCode, r.stdout.slice(-2000)).toBe(0);
  const after = (await introspect.routeSummary(table)).find((t) => t.name === table);
  expect(after?.prefixes ?? 0).toBe(0);
});
