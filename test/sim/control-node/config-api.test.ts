import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { ContrailHttpError } from '../../../lib/contrail/http-request.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';

describe('config API emulator and client', () => {
  let lab: TestControlNode;
  let api: ConfigApiClient;
  const post = (path: string, body: string) =>
    fetch(`${lab.endpoints.configApi}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    lab = await startControlNode();
    api = new ConfigApiClient(lab.endpoints.configApi);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('creates, reads, lists, looks up and deletes a virtual network with its routing instance', async () => {
    const vn = await api.createVirtualNetwork('blue', { subnet: '10.1.0.0/24' });
    expect(vn.fqName).toEqual(['default-domain', 'default-project', 'blue']);
    expect(vn.href).toBe(`${lab.endpoints.configApi}/virtual-network/${vn.uuid}`);
    const read = (await (await fetch(vn.href)).json()) as { 'virtual-network': Record<string, unknown> };
    expect(read['virtual-network']).toMatchObject({ uuid: vn.uuid, name: 'blue', parent_type: 'project' });
    expect(read['virtual-network'].network_ipam_refs).toHaveLength(1);
    expect((await api.listVirtualNetworks()).map((v) => v.uuid)).toContain(vn.uuid);
    expect(await api.fqNameToId('virtual-network', vn.fqName)).toBe(vn.uuid);

    const introspect = new IntrospectClient(lab.endpoints.introspect);
    expect((await introspect.routingInstances('blue')).map((i) => i.name)).toEqual([
      'default-domain:default-project:blue:blue',
    ]);
    await api.deleteVirtualNetwork(vn.uuid);
    expect(await api.fqNameToId('virtual-network', vn.fqName)).toBeUndefined();
    expect(await introspect.routingInstances('blue')).toEqual([]);
  });

  it('answers 409 for a second VN with the same fq_name, with status and URL in the error', async () => {
    await api.createVirtualNetwork('dup');
    const err = await api.createVirtualNetwork('dup').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContrailHttpError);
    expect(err).toMatchObject({
      status: 409,
      url: `${lab.endpoints.configApi}/virtual-networks`,
      method: 'POST',
    });
    expect((err as Error).message).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/virtual-networks -> 409: Conflict/,
    );
  });

  it('answers 404 for an unknown uuid on read and delete', async () => {
    const err = await api.deleteVirtualNetwork('no-such-uuid').catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 404,
      url: `${lab.endpoints.configApi}/virtual-network/no-such-uuid`,
    });
    expect((await fetch(`${lab.endpoints.configApi}/virtual-network/no-such-uuid`)).status).toBe(404);
  });

  it.each([
    ['not JSON', '{"virtual-network": '],
    ['no virtual-network key', '{"vn": {}}'],
    ['fq_name of the wrong length', '{"virtual-network": {"fq_name": ["default-domain", "x"]}}'],
    ['wrong parent_type', '{"virtual-network": {"fq_name": ["d", "p", "x"], "parent_type": "domain"}}'],
  ])('answers 400 for a bad body (%s), saying what was expected', async (_what, body) => {
    const res = await post('/virtual-networks', body);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^Bad Request: .*(expected|must)/);
  });

  it('ensureBgpRouter creates once, then finds the existing one', async () => {
    const spec = { name: 'mx1', address: '127.0.0.9', routerType: 'router' as const };
    const first = await api.ensureBgpRouter(spec);
    expect(await api.ensureBgpRouter(spec)).toBe(first);
    const list = (await (await fetch(`${lab.endpoints.configApi}/bgp-routers`)).json()) as {
      'bgp-routers': Array<{ uuid: string; fq_name: string[] }>;
    };
    expect(list['bgp-routers'].map((r) => r.fq_name.at(-1)).sort()).toEqual(['mx1', lab.name].sort());
    // A configured router shows as a BGP neighbor that is not up (no BGP session in the emulator).
    const introspect = new IntrospectClient(lab.endpoints.introspect);
    expect((await introspect.neighbors()).filter((n) => n.encoding === 'BGP').map((n) => n.peer)).toEqual([
      'mx1',
    ]);
    expect(await introspect.neighborCount('bgp', 'down')).toBe(1);
  });

  it('reports an unreachable API and a caller abort with the URL and no status', async () => {
    const dead = new ConfigApiClient('http://127.0.0.1:1', { timeoutMs: 2000 });
    const err = await dead.listVirtualNetworks().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: undefined, url: 'http://127.0.0.1:1/virtual-networks' });
    const ctl = new AbortController();
    ctl.abort();
    const aborted = await api.listVirtualNetworks({ signal: ctl.signal }).catch((e: unknown) => e);
    expect((aborted as Error).message).toContain('aborted by caller');
  });
});
