import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { monotonicMs } from '../../../lib/clock.ts';
import { routerSchema } from '../../../lib/config/lab-schema.ts';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { RouterCheck } from '../../../lib/dut/junos-router.ts';
import { RouterRoutePoller } from '../../../lib/dut/router-route-poller.ts';
import { LocalHost } from '../../../lib/hosts/local-host.ts';
import { shellQuote } from '../../../lib/hosts/shell-quote.ts';
import { MASTER_INSTANCE } from '../../../sim/xmpp/index.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';
import { freePort } from '../../support/free-port.ts';
import { REPO_ROOT } from '../../support/repo-root.ts';
import { TestAgent } from '../control-node/xmpp-test-agent.ts';

const JUNOS_CLI = path.join(REPO_ROOT, 'sim/bin/junos-cli');
const RED = 'default-domain:admin:red:red';
const BLUE = 'default-domain:admin:blue:blue';
const GREEN = 'default-domain:admin:green:green';
const host = new LocalHost({ name: 'mx-sim', runTag: `junos-cli-test-${process.pid}` });

/** The lab file's router entry for the emulated MX, as labs/sim.yaml writes it. */
function emulatedRouter(introspect: string, extra = ''): RouterCheck {
  const cli = (command: string) =>
    `${JUNOS_CLI} --introspect ${shellQuote(introspect)}${extra} -c ${shellQuote(command)}`;
  const config = routerSchema.parse({
    host: 'mx-sim',
    showBgpNeighborCommand: cli('show bgp neighbor'),
    showRouteSummaryCommand: cli('show route summary'),
  });
  return new RouterCheck({ host, config });
}

/** Prefixes of the VN instances (not the master's inet.0), as the control node's introspect counts them. */
async function vnPrefixes(client: IntrospectClient): Promise<number> {
  const tables = await client.routeSummary();
  return tables.filter((t) => t.name !== 'inet.0').reduce((a, t) => a + t.prefixes, 0);
}

const route = (prefix: string, source: string) => ({ prefix, nextHop: source, label: 20 });

describe('junos-cli, the emulated MX', () => {
  let cn: TestControlNode;
  let introspect: IntrospectClient;
  let api: ConfigApiClient;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    cn = await startControlNode({ endOfRibDelayMs: 100 });
    introspect = new IntrospectClient(cn.endpoints.introspect);
    api = new ConfigApiClient(cn.endpoints.configApi, { project: 'admin' });
    for (const vn of ['red', 'blue', 'green']) await api.createVirtualNetwork(vn);
    for (const i of [1, 2]) {
      const a = await TestAgent.connect(
        cn.endpoints.xmpp.port,
        `127.0.31.${i}`,
        `agent0.${i}@vnsw.contrailsystems.com`,
      );
      agents.push(a);
    }
    await Promise.all(agents.map((a) => a.established()));
    const [a1, a2] = agents as [TestAgent, TestAgent];
    a1.subscribe(RED, 1);
    a2.subscribe(RED, 1);
    a2.subscribe(BLUE, 2);
    a2.subscribe(MASTER_INSTANCE, 0);
    for (let i = 1; i <= 30; i++) a1.publish(RED, route(`10.1.0.${i}/32`, '127.0.31.1'));
    // A second path to a prefix the router already has: one more route on the node, no new VPN prefix.
    a2.publish(RED, route('10.1.0.1/32', '127.0.31.2'));
    for (let i = 1; i <= 20; i++) a2.publish(BLUE, route(`10.2.0.${i}/32`, '127.0.31.2'));
    // The fabric's own route: not re-advertised as a VPN route.
    a2.publish(MASTER_INSTANCE, { prefix: '10.40.0.2/32', nextHop: '127.0.31.2', label: 0 });
    await vi.waitFor(
      async () => {
        const n = await vnPrefixes(introspect);
        if (n !== 50) throw new Error(`control node has ${n} VPN prefixes, expected 50`);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await cn?.stop();
  });

  it('holds in bgp.l3vpn.0 the prefixes of the VN instances, as the control node counts them', async () => {
    const record = (await (await fetch(`${cn.endpoints.introspect}/sim/events`)).json()) as {
      routesInstalled: number;
    };
    // The node installed 52 paths (the second path and the master route included) for 50 VPN prefixes.
    expect(record.routesInstalled).toBe(52);
    const { summary } = await emulatedRouter(cn.endpoints.introspect).routeSummary();
    expect(summary.tables.map((t) => t.name)).toEqual(['inet.0', 'bgp.l3vpn.0']);
    const vpn = summary.tables.find((t) => t.name === 'bgp.l3vpn.0')!;
    expect(vpn).toMatchObject({ destinations: 50, routes: 50, active: 50, hidden: 0 });
    expect(vpn.protocols).toEqual([{ protocol: 'BGP', routes: 50, active: 50 }]);
    expect(vpn.routes).toBe(await vnPrefixes(introspect));
  });

  it('shows the control node as an Established peer that sent exactly those prefixes', async () => {
    const r = emulatedRouter(cn.endpoints.introspect);
    const { neighbors } = await r.neighbors();
    expect(neighbors).toEqual([
      {
        peer: '127.0.0.1',
        state: 'Established',
        tables: [
          { table: 'bgp.l3vpn.0', active: 50, received: 50, accepted: 50, suppressed: 0, advertised: 0 },
        ],
      },
    ]);
    expect(await r.allUp()).toMatchObject({ up: 1, total: 1 });
  });

  it('brings the session up only once the control node is configured to peer with it (--peer-name)', async () => {
    const r = emulatedRouter(cn.endpoints.introspect, ' --peer-name sim-mx1');
    expect((await r.neighbors()).neighbors.map((n) => [n.state, n.tables])).toEqual([['Active', []]]);
    expect((await r.tableRoutes()).routes).toBe(0);
    await api.ensureBgpRouter({ name: 'sim-mx1', address: '127.0.0.1', routerType: 'router' });
    expect((await r.neighbors()).neighbors.map((n) => n.state)).toEqual(['Established']);
    expect((await r.tableRoutes()).routes).toBe(50);
  });

  it('is a router whose peer is down, with no VPN routes, when the control node does not answer', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const r = emulatedRouter(gone);
    expect((await r.neighbors()).neighbors.map((n) => [n.peer, n.state])).toEqual([['127.0.0.1', 'Active']]);
    const result = await host.exec(r.config.showRouteSummaryCommand);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `junos-cli (sim): control node unreachable, session down: ${gone}/sim/router-view: connect ECONNREFUSED`,
    );
    expect(result.stdout).toContain('bgp.l3vpn.0: 0 destinations, 0 routes (0 active, 0 holddown, 0 hidden)');
  });

  it('answers an unknown command with the Junos syntax error and exit status 1', async () => {
    const r = await host.exec(`${JUNOS_CLI} --introspect ${cn.endpoints.introspect} -c 'show route summry'`);
    expect([r.code, r.stdout]).toEqual([1, 'error: syntax error, expecting <command>: summry\n']);
  });

  it('lets the route poller see the router reach its routes after the control node installed the last one', async () => {
    const poller = new RouterRoutePoller(emulatedRouter(cn.endpoints.introspect), { intervalMs: 100 });
    poller.start();
    try {
      await expect
        .poll(() => poller.series.routes.points.length, { timeout: 20_000, interval: 50 })
        .toBeGreaterThan(0);
      const before = poller.series.routes.last()!.v;
      const mark = monotonicMs();
      agents[0]!.subscribe(GREEN, 3);
      for (let i = 1; i <= 25; i++) agents[0]!.publish(GREEN, route(`10.3.0.${i}/32`, '127.0.31.1'));
      await expect
        .poll(() => poller.milestone(before + 25, { after: mark }), { timeout: 30_000, interval: 50 })
        .toBeDefined();
      const m = poller.milestone(before + 25, { after: mark })!;
      const record = (await (await fetch(`${cn.endpoints.introspect}/sim/events`)).json()) as {
        lastRouteInstalled: { monotonicMs: number };
      };
      // The node's own record: the last route was installed inside the milestone's bracket.
      const installed = record.lastRouteInstalled.monotonicMs;
      expect(m.lo!).toBeLessThanOrEqual(installed);
      expect(m.t).toBeGreaterThanOrEqual(installed);
    } finally {
      await poller.stop();
    }
    expect(poller.errors).toBe(0);
  });
});
