import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { startSimLab, type SimLab } from '../../../sim/lab/start-sim-lab.ts';
import { MASTER_INSTANCE } from '../../../sim/xmpp/index.ts';
import { TestAgent, until } from './xmpp-test-agent.ts';

const inst = (vn: string) => `default-domain:admin:${vn}:${vn}`;
const jid = (n: number) => `agent0.${n}@vnsw.contrailsystems.com`;

describe('control node XMPP sessions', () => {
  let lab: SimLab;
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
    lab = await startSimLab({ endOfRibDelayMs: 100 });
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
    await until(() => a.endOfRib, 3000, 'End-of-RIB');
  });

  it('holds a subscription to an unconfigured instance as pending and replays it when the VN appears', async () => {
    const [a, b] = [await connect(), await connect()];
    a.subscribe(inst('pend'), 1);
    b.subscribe(inst('pend'), 1);
    for (let i = 1; i <= 3; i++)
      a.publish(inst('pend'), { prefix: `10.9.0.${i}/32`, nextHop: '127.0.10.2', label: 16 + i });
    await until(
      async () => (await introspect.neighbors(a.jid)).some((n) => n.raw.routing_instances !== undefined),
      3000,
      'neighbor visible',
    );
    const nb = (await introspect.neighbors()).find((n) => n.peer === a.jid)!;
    expect(nb.raw.routing_instances).toEqual([{ name: inst('pend'), state: 'pending', index: 1 }]);
    expect(await introspect.routeSummary('pend')).toEqual([]);

    await api.createVirtualNetwork('pend');
    await until(() => b.routes(inst('pend')).size === 3, 5000, 'replayed routes at the other subscriber');
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
    await until(
      () => subs.every((s) => s.routes(inst('fan')).size === 100),
      5000,
      'all 100 routes at all 5 agents',
    );
    for (const s of subs) {
      for (const u of s.updates.filter((x) => x.instance === inst('fan')))
        expect(u.added.length).toBeLessThanOrEqual(32);
    }
    await until(
      async () => (await introspect.routeSummary('fan'))[0]?.pendingUpdates === 0,
      3000,
      'pending 0',
    );
    const [t] = await introspect.routeSummary('fan');
    expect(t).toMatchObject({ prefixes: 100, paths: 100, pendingUpdates: 0, markers: 0 });
    expect(t!.raw.listeners).toBe(5);

    for (let i = 0; i < 20; i++) subs[0]!.withdraw(inst('fan'), `10.20.0.${i}/32`);
    await until(
      () => subs.every((s) => s.routes(inst('fan')).size === 80),
      5000,
      'withdrawals at all agents',
    );
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
    expect(await a.closesWithin(3000)).toBe(true);
    await until(
      async () => !(await introspect.neighbors(a.jid)).some((n) => n.peer === a.jid),
      3000,
      'neighbor gone',
    );
  });

  it('keeps a well-behaved session open, label 0 being fine in the master instance', async () => {
    const a = await connect();
    a.subscribe(MASTER_INSTANCE, 0);
    a.publish(MASTER_INSTANCE, { prefix: '10.40.0.1/32', nextHop: '1.1.1.1', label: 0 });
    expect(await a.closesWithin(500)).toBe(false);
    await until(
      async () => (await introspect.routeSummary('^inet\\.0$'))[0]?.prefixes === 1,
      3000,
      'inet.0 route',
    );
  });

  it('counts established XMPP neighbors per ShowNeighborStatisticsReq', async () => {
    const up = agents.filter((a) => !a.closed).length;
    expect(await introspect.neighborCount('xmpp', 'up')).toBe(up);
    expect(await introspect.neighborCount('bgp', 'up')).toBe(0);
  });
});

describe('control node admission and hold time', () => {
  let lab: SimLab;
  beforeAll(async () => {
    lab = await startSimLab({ provisionSelf: false, holdTimeS: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses agents until its own bgp-router is configured, then closes silent sessions after the hold time', async () => {
    const refused = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.1', jid(1));
    expect(await refused.closesWithin(3000)).toBe(true);
    expect(refused.streamAttrs).toBeUndefined();

    await new ConfigApiClient(lab.endpoints.configApi).ensureBgpRouter({
      name: lab.controlNodeName,
      address: '127.0.0.1',
      routerType: 'control-node',
    });
    const silent = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.2', jid(2));
    await silent.established();
    const t0 = performance.now();
    expect(await silent.closesWithin(4000)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(700);
  });

  it('keeps a session that sends whitespace keepalives past the hold time, and sends its own', async () => {
    const a = await TestAgent.connect(lab.endpoints.xmpp.port, '127.0.11.3', jid(3));
    await a.established();
    const timer = setInterval(() => a.send(' '), 250);
    try {
      expect(await a.closesWithin(2500)).toBe(false);
    } finally {
      clearInterval(timer);
    }
    // Hold time 1 s: the control node writes a keepalive every third of it when it has nothing else to send.
    expect(a.keepalives).toBeGreaterThanOrEqual(3);
    a.close();
  });
});
