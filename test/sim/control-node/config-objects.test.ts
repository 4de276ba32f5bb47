/**
 * The config API emulator's network policies, references and deletes, spoken to over HTTP in the
 * real API's shapes (no lib client: these tests check the emulator on its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigApiServer } from '../../../sim/control-node/config-api-server.ts';
import { ConfigStore } from '../../../sim/control-node/config-store.ts';

const PROJECT = ['default-domain', 'admin'];
const FABRIC = ['default-domain', 'default-project', 'ip-fabric', '__default__'];
const MARK = { key_value_pair: [{ key: 'netscale-run', value: 'run-7' }] };

const rule = (port: number) => ({
  direction: '<>',
  protocol: 'tcp',
  src_addresses: [{ subnet: { ip_prefix: '0.0.0.0', ip_prefix_len: 0 } }],
  src_ports: [{ start_port: -1, end_port: -1 }],
  dst_addresses: [{ subnet: { ip_prefix: '0.0.0.0', ip_prefix_len: 0 } }],
  dst_ports: [{ start_port: port, end_port: port }],
  action_list: { simple_action: 'pass' },
});

describe('config API emulator: network policies, references, deletes', () => {
  const store = new ConfigStore();
  const server = new ConfigApiServer(store);
  let base: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  };
  const created = async (type: string, body: Record<string, unknown>) => {
    const res = await call('POST', `/${type}s`, { [type]: body });
    expect(res.status, res.text).toBe(200);
    return (res.json![type] as { uuid: string; href: string }).uuid;
  };

  beforeAll(async () => {
    await server.start('127.0.0.1', 0);
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  it('creates, lists, reads and deletes a network policy at /network-policys, keeping its rules and annotations', async () => {
    const uuid = await created('network-policy', {
      fq_name: [...PROJECT, 'np-a'],
      parent_type: 'project',
      network_policy_entries: { policy_rule: [rule(10000), rule(10001)] },
      annotations: MARK,
    });
    const read = await call('GET', `/network-policy/${uuid}`);
    expect(read.json!['network-policy']).toMatchObject({
      uuid,
      name: 'np-a',
      fq_name: [...PROJECT, 'np-a'],
      annotations: MARK,
      network_policy_entries: { policy_rule: [rule(10000), rule(10001)] },
    });
    const list = await call('GET', '/network-policys?detail=true');
    expect(list.json!['network-policys']).toEqual([
      { 'network-policy': expect.objectContaining({ uuid, annotations: MARK }) },
    ]);
    expect(
      (await call('POST', '/fqname-to-id', { type: 'network-policy', fq_name: [...PROJECT, 'np-a'] })).json,
    ).toEqual({
      uuid,
    });
    expect((await call('DELETE', `/network-policy/${uuid}`)).status).toBe(200);
    expect((await call('GET', `/network-policy/${uuid}`)).status).toBe(404);
    expect((await call('DELETE', `/network-policy/${uuid}`)).status).toBe(404);
  });

  it('answers 400 for a policy rule without an action, naming the rule', async () => {
    const { action_list: _dropped, ...noAction } = rule(1);
    const res = await call('POST', '/network-policys', {
      'network-policy': {
        fq_name: [...PROJECT, 'np-bad'],
        network_policy_entries: { policy_rule: [rule(1), noAction] },
      },
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/policy_rule\[1\]\.action_list must be an object/);
    expect(store.fqNameToId('network-policy', [...PROJECT, 'np-bad'])).toBeUndefined();
  });

  it('stores a VN network_policy_refs with the uuid, and refuses to delete the policy while the VN refers to it (409)', async () => {
    const np = await created('network-policy', { fq_name: [...PROJECT, 'np-used'], parent_type: 'project' });
    const sequence = { major: 0, minor: 0 };
    const vn = await created('virtual-network', {
      fq_name: [...PROJECT, 'vn-used'],
      network_policy_refs: [{ to: [...PROJECT, 'np-used'], attr: { sequence } }],
      annotations: MARK,
    });
    const vnRead = await call('GET', `/virtual-network/${vn}`);
    expect(vnRead.json!['virtual-network']).toMatchObject({
      annotations: MARK,
      network_policy_refs: [{ to: [...PROJECT, 'np-used'], uuid: np, attr: { sequence } }],
    });
    const npRead = await call('GET', `/network-policy/${np}`);
    expect(npRead.json!['network-policy']).toMatchObject({
      virtual_network_back_refs: [{ to: [...PROJECT, 'vn-used'], uuid: vn }],
    });

    const refused = await call('DELETE', `/network-policy/${np}`);
    expect(refused.status).toBe(409);
    expect(refused.text).toBe(`Delete when resource still referred: ["${base}/virtual-network/${vn}"]`);
    expect(store.networkPolicies.has(np)).toBe(true);

    // Detached with /ref-update, it can go.
    const detach = await call('POST', '/ref-update', {
      operation: 'DELETE',
      type: 'virtual-network',
      uuid: vn,
      'ref-type': 'network-policy',
      'ref-uuid': np,
    });
    expect(detach.status, detach.text).toBe(200);
    expect(store.virtualNetworks.get(vn)!.network_policy_refs).toBeUndefined();
    expect((await call('DELETE', `/network-policy/${np}`)).status).toBe(200);
    expect((await call('DELETE', `/virtual-network/${vn}`)).status).toBe(200);
  });

  it('answers 404 for a VN that refers to a policy that does not exist, and creates nothing', async () => {
    const res = await call('POST', '/virtual-networks', {
      'virtual-network': {
        fq_name: [...PROJECT, 'vn-dangling'],
        network_policy_refs: [{ to: [...PROJECT, 'np-none'], attr: { sequence: { major: 0, minor: 0 } } }],
      },
    });
    expect(res.status).toBe(404);
    expect(res.text).toContain('network-policy default-domain:admin:np-none not found');
    expect(store.fqNameToId('virtual-network', [...PROJECT, 'vn-dangling'])).toBeUndefined();
  });

  it('deletes bgp-routers, refusing one a peer still refers to; lists the children of a parent only', async () => {
    const params = (address: string) => ({ router_type: 'control-node', vendor: 'contrail', address });
    const a = await created('bgp-router', {
      fq_name: [...FABRIC, 'cn-a'],
      bgp_router_parameters: params('10.0.0.1'),
    });
    const b = await created('bgp-router', {
      fq_name: [...FABRIC, 'cn-b'],
      bgp_router_parameters: params('10.0.0.2'),
      bgp_router_refs: [{ to: [...FABRIC, 'cn-a'], attr: { session: [] } }],
    });
    const listed = await call('GET', `/bgp-routers?parent_fq_name_str=${FABRIC.join(':')}`);
    expect((listed.json!['bgp-routers'] as Array<{ uuid: string }>).map((r) => r.uuid).sort()).toEqual(
      [a, b].sort(),
    );
    expect((await call('GET', '/bgp-routers?parent_fq_name_str=default-domain:other')).json).toEqual({
      'bgp-routers': [],
    });

    const refused = await call('DELETE', `/bgp-router/${a}`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`${base}/bgp-router/${b}`);
    expect((await call('DELETE', `/bgp-router/${b}`)).status).toBe(200);
    expect((await call('DELETE', `/bgp-router/${a}`)).status).toBe(200);
    expect(store.bgpRouters.size).toBe(0);
    expect((await call('DELETE', `/bgp-router/${a}`)).status).toBe(404);
  });

  it('answers /ref-update ADD with the ref stored and 400/404 for a bad request', async () => {
    const np = await created('network-policy', { fq_name: [...PROJECT, 'np-add'] });
    const vn = await created('virtual-network', { fq_name: [...PROJECT, 'vn-add'] });
    const add = await call('POST', '/ref-update', {
      operation: 'add',
      type: 'virtual-network',
      uuid: vn,
      'ref-type': 'network-policy',
      'ref-fq-name': [...PROJECT, 'np-add'],
      attr: { sequence: { major: 1, minor: 0 } },
    });
    expect(add.json).toEqual({ uuid: vn });
    expect(store.virtualNetworks.get(vn)!.network_policy_refs).toEqual([
      { to: [...PROJECT, 'np-add'], uuid: np, attr: { sequence: { major: 1, minor: 0 } } },
    ]);
    const bad = await call('POST', '/ref-update', {
      operation: 'MOVE',
      type: 'virtual-network',
      uuid: vn,
      'ref-type': 'network-policy',
      'ref-uuid': np,
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('operation should be add or delete: MOVE');
    const unknown = await call('POST', '/ref-update', {
      operation: 'ADD',
      type: 'virtual-network',
      uuid: vn,
      'ref-type': 'network-policy',
      'ref-uuid': 'no-such',
    });
    expect(unknown.status).toBe(404);
    const gone = await call('POST', '/ref-update', {
      operation: 'DELETE',
      type: 'virtual-network',
      uuid: 'no-such',
      'ref-type': 'network-policy',
      'ref-uuid': np,
    });
    expect(gone.status).toBe(404);
  });
});
