import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../../lib/contrail/introspect-client.ts';
import { startControlNode, type TestControlNode } from '../../support/embedded-control-node.ts';
import { TestAgent } from './xmpp-test-agent.ts';

const AGENTS = 70;
const VNS = 70;
const SANDESH_PROLOG = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>';

/** Element tree with attributes, order-preserving, to check the encoding itself. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseTagValue: false,
});
type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };
const tagOf = (n: Ordered) => Object.keys(n).find((k) => k !== ':@')!;
const kids = (n: Ordered) => n[tagOf(n)] as Ordered[];

/** Checks every field of a sandesh struct has type and identifier; recurses into lists and structs. */
function checkFields(struct: Ordered, where: string): void {
  for (const f of kids(struct)) {
    const name = tagOf(f);
    if (name === '#text') continue;
    const a = f[':@'] ?? {};
    expect(a.type, `${where}.${name} type`).toMatch(/^(string|bool|u16|u32|u64|i32|i64|list|struct)$/);
    expect(a.identifier, `${where}.${name} identifier`).toMatch(/^\d+$/);
    if (a.type === 'list') {
      const [list] = kids(f);
      expect(tagOf(list!)).toBe('list');
      const items = kids(list!).filter((i) => tagOf(i) !== '#text');
      expect(Number(list![':@']!.size), `${where}.${name} size`).toBe(items.length);
      if (list![':@']!.type === 'struct') items.forEach((i, k) => checkFields(i, `${where}.${name}[${k}]`));
      else items.forEach((i) => expect(tagOf(i)).toBe('element'));
    }
  }
}

describe('control node introspect', () => {
  let lab: TestControlNode;
  let client: IntrospectClient;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    lab = await startControlNode({ endOfRibDelayMs: 100 });
    client = new IntrospectClient(lab.endpoints.introspect);
    const api = new ConfigApiClient(lab.endpoints.configApi, { project: 'admin' });
    for (let i = 0; i < VNS; i++) await api.createVirtualNetwork(`page${String(i).padStart(3, '0')}`);
    for (let i = 1; i <= AGENTS; i++) {
      const a = await TestAgent.connect(
        lab.endpoints.xmpp.port,
        `127.0.20.${i}`,
        `agent0.${i}@vnsw.contrailsystems.com`,
      );
      agents.push(a);
    }
    await Promise.all(agents.map((a) => a.established()));
    agents[0]!.subscribe('default-domain:admin:page000:page000', 1);
    agents[0]!.publish('default-domain:admin:page000:page000', {
      prefix: '10.0.0.1/32',
      nextHop: '127.0.20.1',
      label: 20,
    });
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await lab?.stop();
  });

  it('pages BgpNeighborReq at 64 with a next_batch link, and the client follows it', async () => {
    const raw = await (
      await fetch(`${lab.endpoints.introspect}/Snh_BgpNeighborReq?search_string=&domain=`)
    ).text();
    expect(raw.match(/<BgpNeighborResp>/g)).toHaveLength(64);
    const next =
      /<next_batch type="string" identifier="2" link="BgpNeighborReqIterate">([^<]+)<\/next_batch>/.exec(raw);
    expect(next).not.toBeNull();
    const page2 = await (
      await fetch(`${lab.endpoints.introspect}/Snh_BgpNeighborReqIterate?x=${encodeURIComponent(next![1]!)}`)
    ).text();
    expect(page2.match(/<BgpNeighborResp>/g)).toHaveLength(AGENTS - 64);
    expect(page2).toMatch(
      /<next_batch type="string" identifier="2" link="BgpNeighborReqIterate"><\/next_batch>/,
    );

    const all = await client.neighbors();
    expect(all).toHaveLength(AGENTS);
    expect(new Set(all.map((n) => n.peer)).size).toBe(AGENTS);
    expect(all.every((n) => n.encoding === 'XMPP' && n.state === 'Established')).toBe(true);
  });

  it('pages ShowRouteSummaryReq over more than 64 tables and filters by regex', async () => {
    const tables = await client.routeSummary();
    expect(tables).toHaveLength(VNS + 1); // + inet.0 of the master instance
    const page = await client.routeSummary('page000');
    await expect
      .poll(async () => (await client.routeSummary('page000'))[0]?.prefixes, { timeout: 3000, interval: 20 })
      .toBe(1);
    expect(page.map((t) => t.name)).toEqual(['default-domain:admin:page000:page000.inet.0']);
    expect(await client.routingInstances('page00[0-5]')).toHaveLength(6);
  });

  it('takes parameters by position, whatever their names', async () => {
    const byName = await (
      await fetch(`${lab.endpoints.introspect}/Snh_ShowNeighborStatisticsReq?bgp_or_xmpp=xmpp&up_or_down=up`)
    ).text();
    const byPos = await (
      await fetch(`${lab.endpoints.introspect}/Snh_ShowNeighborStatisticsReq?a=xmpp&b=up`)
    ).text();
    expect(byPos).toBe(byName);
    expect(byPos).toContain(`<count type="u64" identifier="1">${AGENTS}</count>`);
    expect(await client.neighborCount('xmpp', 'down')).toBe(0);
  });

  it.each([
    ['BgpNeighborReq', 'BgpNeighborListResp'],
    ['ShowNeighborStatisticsReq?a=xmpp&b=up', 'ShowNeighborStatisticsResp'],
    ['ShowRouteSummaryReq', 'ShowRouteSummaryResp'],
    ['ShowRoutingInstanceReq', 'ShowRoutingInstanceResp'],
    ['ShowRoutingInstanceSummaryReq', 'ShowRoutingInstanceSummaryResp'],
    ['ShowXmppConnectionReq', 'ShowXmppConnectionResp'],
    ['ShowXmppServerReq', 'ShowXmppServerResp'],
  ])('%s answers sandesh XML (%s)', async (req, respType) => {
    const res = await fetch(`${lab.endpoints.introspect}/Snh_${req}`);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const body = await res.text();
    expect(body.startsWith(SANDESH_PROLOG)).toBe(true);
    const doc = (parser.parse(body.slice(SANDESH_PROLOG.length)) as Ordered[])[0]!;
    // Several parts come wrapped in __<Resp>_list (ShowXmppConnectionReq with 70 connections has 2).
    const parts = tagOf(doc) === `__${respType}_list` ? kids(doc) : [doc];
    if (req === 'ShowXmppConnectionReq') expect(parts).toHaveLength(2);
    parts.forEach((part, i) => {
      expect(tagOf(part)).toBe(respType);
      expect(part[':@']).toEqual({ type: 'sandesh' });
      const fields = kids(part);
      const more = fields[fields.length - 1]!;
      expect(tagOf(more)).toBe('more');
      expect(more[':@']).toEqual({ type: 'bool', identifier: '0' });
      expect(kids(more)[0]!['#text']).toBe(i < parts.length - 1 ? 'true' : 'false');
      checkFields({ x: fields.slice(0, -1) } as Ordered, respType);
    });
  });

  it('lists XMPP connections across response parts and reports server counts', async () => {
    const conns = await client.xmppConnections();
    expect(conns).toHaveLength(AGENTS);
    expect(conns[0]!.remoteEndpoint).toMatch(/^127\.0\.20\.\d+:\d+$/);
    const server = await client.request('ShowXmppServerReq');
    expect(server[0]!.fields).toMatchObject({ current_connections: AGENTS, max_connections: AGENTS });
  });

  it('answers 404 for an unknown request, naming it', async () => {
    const res = await fetch(`${lab.endpoints.introspect}/Snh_NoSuchReq`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('NoSuchReq');
  });
});
