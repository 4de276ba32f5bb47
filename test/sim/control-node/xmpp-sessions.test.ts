import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';
import { MASTER_INSTANCE } from '../../../sim/xmpp/index.ts';
import { TestAgent } from './xmpp-test-agent.ts';

const inst = (vn: string) => `default-domain:admin:${vn}:${vn}`;
const jid = (n: number) => `agent0.${n}@vnsw.contrailsystems.com`;

describe('control node XMPP sessions', () => {
  let lab: TestControlNode;
  let api: ConfigApiClient;
  let introspect: IntrospectClient;
  const agents: TestAgent[] = [];
  let nextSource = 1;
  const connect = async (): Promise<TestAgent> => {
    const n = nextSource++;
    const a = await TestAgent.connect(lab.endpoints.xmpp.port, `127.0.10.${n}`, jid(n));
    agents.push(a);
    await a.established();
    return a;
  };

  beforeAll(async () => {
    lab = await startControlNode({ endOfRibDelayMs: 100 });
    api = new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' });
    introspect = new IntrospectClient(lab.endpoints.introspect);
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await lab?.stop();
  });

  it('answers the stream header with from/to swapped and an id, and sends End-of-RIB', async () => {
    const a = await connect();
    expect(a.streamAttrs).toMatchObject({ from: 'network-control@contrailsystems.com', to: a.jid });
    expect(a.streamAttrs?.id).toMatch(/\S/);
    a.subscribe(MASTER_INSTANCE, 0);
    await expect.poll(() => a.endOfRib, { timeout: 3000, interval: 20 }).toBe(true);
  });

  it('holds a subscription to an unconfigured instance as pending and replays it when the VN appears', async () => {
    const [a, b] = [await connect(), await connect()];
    a.subscribe(inst('pend'), 1);
    b.subscribe(inst('pend'), 1);
    for (let i = 1; i <= 3; i++)
      a.publish(inst('pend'), { prefix: `10.9.0.${i}/32`, nextHop: '127.0.10.2', label: 16 + i });
    await expect
      .poll(
        async () => (await introspect.neighbors(a.jid)).some((n) => n.raw.routing_instances !== undefined),
        { timeout: 3000, interval: 20 },
      )
      .toBe(true);
    const nb = (await introspect.neighbors()).find((n) => n.peer === a.jid)!;
    expect(nb.raw.routing_instances).toEqual([{ name: inst('pend'), state: 'pending', index: 1 }]);
    expect(await introspect.routeSummary('pend')).toEqual([]);

    await api.createVirtualNetwork('pend');
    await expect.poll(() => b.routes(inst('pend')).size, { timeout: 5000, interval: 20 }).toBe(3);
    const [table] = await introspect.routeSummary('pend');
    expect(table).toMatchObject({ name: `${inst('pend')}.inet.0`, prefixes: 3, paths: 3, primaryPaths: 3 });
    expect(b.routes(inst('pend')).get('10.9.0.2/32')).toMatchObject({ nextHop: '127.0.10.2', label: 18 });
  });

  it('fans every route out to every subscriber, ≤32 items per message, and withdraws them', async () => {
    await api.createVirtualNetwork('fan');
    const subs = await Promise.all([1, 2, 3, 4, 5].map(() => connect()));
    for (const s of subs) s.subscribe(inst('fan'), 2);
    subs.forEach((s, k) => {
      for (let i = 0; i < 20; i++)
        s.publish(inst('fan'), { prefix: `10.20.${k}.${i}/32`, nextHop: `127.0.10.${k}`, label: 100 + i });
    });
    await expect
      .poll(() => subs.map((s) => s.routes(inst('fan')).size), { timeout: 5000, interval: 20 })
      .toEqual([100, 100, 100, 100, 100]);
    for (const s of subs) {
      for (const u of s.updates.filter((x) => x.instance === inst('fan')))
        expect(u.added.length).toBeLessThanOrEqual(32);
    }
    await expect
      .poll(async () => (await introspect.routeSummary('fan'))[0]?.pendingUpdates, {
        timeout: 3000,
        interval: 20,
      })
      .toBe(0);
    const [t] = await introspect.routeSummary('fan');
    expect(t).toMatchObject({ prefixes: 100, paths: 100, pendingUpdates: 0, markers: 0 });
    expect(t!.raw.listeners).toBe(5);

    for (let i = 0; i < 20; i++) subs[0]!.withdraw(inst('fan'), `10.20.0.${i}/32`);
    await expect
      .poll(() => subs.map((s) => s.routes(inst('fan')).size), { timeout: 5000, interval: 20 })
      .toEqual([80, 80, 80, 80, 80]);
    expect((await introspect.routeSummary('fan'))[0]).toMatchObject({ prefixes: 80, paths: 80 });
  });

  it.each([
    ['duplicate subscribe', (a: TestAgent) => (a.subscribe(inst('fan'), 2), a.subscribe(inst('fan'), 2))],
    ['unsubscribe without subscribe', (a: TestAgent) => a.unsubscribe(inst('fan'))],
    [
      'route for an unsubscribed instance',
      (a: TestAgent) => a.publish(inst('fan'), { prefix: '10.30.0.1/32', nextHop: '1.1.1.1', label: 5 }),
    ],
    [
      'label 0 outside the master instance',
      (a: TestAgent) => (
        a.subscribe(inst('fan'), 2),
        a.publish(inst('fan'), { prefix: '10.30.0.2/32', nextHop: '1.1.1.1', label: 0 })
      ),
    ],
    ['malformed XML', (a: TestAgent) => a.send('<iq type="set"><pubsub></iq>')],
  ])('closes the session on %s', async (_what, misbehave) => {
    const a = await connect();
    misbehave(a);
    await expect.poll(() => a.closed, { timeout: 3000, interval: 20 }).toBe(true);
    await expect
      .poll(async () => (await introspect.neighbors(a.jid)).some((n) => n.peer === a.jid), {
        timeout: 3000,
        interval: 20,
      })
      .toBe(false);
  });

  it('keeps a well-behaved session open, label 0 being fine in the master instance', async () => {
    const a = await connect();
    a.subscribe(MASTER_INSTANCE, 0);
    a.publish(MASTER_INSTANCE, { prefix: '10.40.0.1/32', nextHop: '1.1.1.1', label: 0 });
    await expect
      .poll(async () => (await introspect.routeSummary('^inet\\.0$'))[0]?.prefixes, {
        timeout: 3000,
        interval: 20,
      })
      .toBe(1);
    expect(await a.openAfter(500)).toBe(true);
  });

  it('counts established XMPP neighbors per ShowNeighborStatisticsReq', async () => {
    const up = agents.filter((a) => !a.closed).length;
    expect(await introspect.neighborCount('xmpp', 'up')).toBe(up);
    expect(await introspect.neighborCount('bgp', 'up')).toBe(0);
  });
});

describe('control node admission and hold time', () => {
  let lab: TestControlNode;
  beforeAll(async () => {
    lab = await startControlNode({ provisionSelf: false, holdTimeS: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses agents until its own bgp-router is configured, then closes silent sessions after the hold time', async () => {
    const refused = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.1', jid(1));
    await expect.poll(() => refused.closed, { timeout: 3000, interval: 20 }).toBe(true);
    expect(refused.streamAttrs).toBeUndefined();

    await new ConfigApiClient(lab.endpoints.configApi).ensureBgpRouter({
      name: lab.name,
      address: '127.0.0.1',
      routerType: 'control-node',
    });
    const silent = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.2', jid(2));
    await silent.established();
    const t0 = performance.now();
    await expect.poll(() => silent.closed, { timeout: 4000, interval: 20 }).toBe(true);
    // Hold time 1 s, counted from the session start a little before t0; the poll sees a close late, never early.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(700);
  });

  it('keeps a session that sends whitespace keepalives past the hold time, and sends its own', async () => {
    const a = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.3', jid(3));
    await a.established();
    const timer = setInterval(() => a.send(' '), 250);
    try {
      expect(await a.openAfter(2500)).toBe(true);
    } finally {
      clearInterval(timer);
    }
    // Hold time 1 s: the control node writes a keepalive every third of it when it has nothing else to send.
    expect(a.keepalives).toBeGreaterThanOrEqual(3);
    a.close();
  });
});
