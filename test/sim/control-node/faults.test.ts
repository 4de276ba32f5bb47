import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { monotonicMs } from '../../../lib/clock.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';
import { TestAgent } from './xmpp-test-agent.ts';

const INST = 'default-domain:admin:f:f';

describe('control node faults and event record', () => {
  let lab: TestControlNode | undefined;
  const agents: TestAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await lab?.stop();
    lab = undefined;
  });
  const fault = (body: unknown) =>
    fetch(`${lab!.endpoints.introspect}/sim/fault`, { method: 'POST', body: JSON.stringify(body) });
  const agentsUp = async (n: number, base: string) => {
    for (let i = 1; i <= n; i++) {
      const a = await TestAgent.connect(
        lab!.endpoints.xmpp.port,
        `${base}.${i}`,
        `agent1.${i}@vnsw.contrailsystems.com`,
      );
      agents.push(a);
      await a.established();
    }
  };

  it('records first/last agent up, last route installed and pending_updates 0 on the monotonic clock', async () => {
    const before = monotonicMs();
    lab = await startControlNode({ endOfRibDelayMs: 100 });
    await new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' }).createVirtualNetwork('f');
    await agentsUp(3, '127.0.30');
    for (const [k, a] of agents.entries()) {
      a.subscribe(INST, 1);
      for (let i = 0; i < 10; i++)
        a.publish(INST, { prefix: `10.3.${k}.${i}/32`, nextHop: '1.1.1.1', label: 30 });
    }
    await expect
      .poll(() => agents.map((a) => a.routes(INST).size), { timeout: 5000, interval: 20 })
      .toEqual([30, 30, 30]);
    const ev = (await (await fetch(`${lab.endpoints.introspect}/sim/events`)).json()) as Record<
      string,
      unknown
    >;
    const after = monotonicMs();
    expect(ev).toMatchObject({
      agentsUp: 3,
      routesInstalled: 30,
      pendingUpdates: 0,
      pid: lab.pid,
    });
    const t = (k: string) => (ev[k] as { monotonicMs: number }).monotonicMs;
    expect(t('firstAgentUp')).toBeGreaterThan(before);
    expect(t('lastAgentUp')).toBeGreaterThan(t('firstAgentUp'));
    expect(t('lastRouteInstalled')).toBeGreaterThan(t('lastAgentUp'));
    expect(t('pendingUpdatesZero')).toBeGreaterThanOrEqual(t('lastRouteInstalled'));
    expect(t('pendingUpdatesZero')).toBeLessThan(after);
  });

  it('drops the requested share of routes, accepted but never installed', async () => {
    lab = await startControlNode({ faults: { dropRouteShare: 0.25 } });
    await new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' }).createVirtualNetwork('f');
    await agentsUp(1, '127.0.31');
    agents[0]!.subscribe(INST, 1);
    for (let i = 0; i < 100; i++)
      agents[0]!.publish(INST, { prefix: `10.4.0.${i}/32`, nextHop: '1.1.1.1', label: 40 });
    const introspect = new IntrospectClient(lab.endpoints.introspect);
    await expect
      .poll(async () => (await introspect.routeSummary('f:f'))[0]?.prefixes, { timeout: 5000, interval: 20 })
      .toBe(75);
    expect(agents[0]!.closed).toBe(false);
  });

  it('flaps K sessions, and restarts: sessions and routes dropped, back after downMs, config kept', async () => {
    lab = await startControlNode({ endOfRibDelayMs: 100 });
    await new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' }).createVirtualNetwork('f');
    await agentsUp(4, '127.0.32');
    expect((await fault({ flap: { sessions: 2 } })).status).toBe(200);
    await expect.poll(() => agents.filter((a) => a.closed).length, { timeout: 3000, interval: 20 }).toBe(2);
    const introspect = new IntrospectClient(lab.endpoints.introspect);
    expect(await introspect.neighborCount('xmpp', 'up')).toBe(2);
    expect(await introspect.neighbors()).toHaveLength(2);

    const live = agents.find((a) => !a.closed)!;
    live.subscribe(INST, 1);
    live.publish(INST, { prefix: '10.5.0.1/32', nextHop: '1.1.1.1', label: 50 });
    await expect
      .poll(async () => (await introspect.routeSummary('f:f'))[0]?.prefixes, { timeout: 3000, interval: 20 })
      .toBe(1);
    expect((await fault({ restart: { downMs: 500 } })).status).toBe(200);
    await expect.poll(() => agents.filter((a) => !a.closed).length, { timeout: 3000, interval: 20 }).toBe(0);
    expect((await introspect.routeSummary('f:f'))[0]?.prefixes).toBe(0);
    // XMPP is back after the restart: a new session is answered (refused connections are retried).
    await vi.waitFor(
      async () => {
        const a = await TestAgent.connect(
          lab!.endpoints.xmpp.port,
          '127.0.32.9',
          'agent1.9@vnsw.contrailsystems.com',
        );
        agents.push(a);
        await a.established(1000);
      },
      { timeout: 5000, interval: 50 },
    );
    expect((await introspect.routingInstances('f:f')).length).toBe(1);
  });

  it('crashes with a non-zero exit on request', async () => {
    lab = await startControlNode();
    expect((await fault({ crash: { afterMs: 50 } })).status).toBe(200);
    expect(await lab.exited()).toBe(70);
  });

  it('crashes from the start when told by flag, and rejects a bad fault request naming the key', async () => {
    lab = await startControlNode({ faults: { crashAfterMs: 1500 } });
    const bad = await fault({ dropRoutes: { share: 2 } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('dropRoutes.share: expected a number in [0, 1], found 2');
    expect(await lab.exited()).toBe(70);
  });
});
