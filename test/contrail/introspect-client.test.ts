import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContrailHttpError } from '../../lib/contrail/http-request.ts';
import { IntrospectClient } from '../../lib/contrail/introspect-client.ts';

/**
 * A hand-written introspect: pages of neighbors written the way real control
 * nodes vary (pretty-printed, size="1" lists, a multi-part wrapper, fields the
 * client does not know), to check the client against more than our emulator.
 */
const neighbor = (name: string, state: string, enc = 'XMPP') => `
  <BgpNeighborResp>
    <peer type="string" identifier="1">${name}</peer>
    <deleted type="bool" identifier="36">false</deleted>
    <encoding type="string" identifier="6">${enc}</encoding>
    <state type="string" identifier="11">${state}</state>
    <flap_count type="u32" identifier="27">2</flap_count>
    <auth_keys type="list" identifier="44"><list type="struct" size="0"></list></auth_keys>
  </BgpNeighborResp>`;
const page = (
  items: string[],
  next: string,
) => `<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>
<BgpNeighborListResp type="sandesh">
  <neighbors type="list" identifier="1"><list type="struct" size="${items.length}">${items.join('')}</list></neighbors>
  <next_batch type="string" identifier="2" link="BgpNeighborReqIterate">${next}</next_batch>
  <more type="bool" identifier="0">false</more>
</BgpNeighborListResp>`;

const requests: string[] = [];
const server = http.createServer((req, res) => {
  requests.push(req.url ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  const it = url.searchParams.get('x0') ?? url.searchParams.get('x') ?? '';
  let body: string | undefined;
  if (url.pathname === '/Snh_BgpNeighborReq')
    body = page([neighbor('a', 'Established'), neighbor('b', 'Active')], 'p2');
  else if (url.pathname === '/Snh_BgpNeighborReqIterate' && it === 'p2')
    body = page([neighbor('mx1', 'Established', 'BGP')], 'p3');
  else if (url.pathname === '/Snh_BgpNeighborReqIterate' && it === 'p3')
    body = page([neighbor('c', 'Established')], '');
  else if (url.pathname === '/Snh_ShowRouteSummaryReq')
    body =
      '<__ShowRouteSummaryResp_list type="slist">' +
      [
        ['t1', 5, 1],
        ['t2', 7, 0],
      ]
        .map(
          ([n, p, pend], i) =>
            `<ShowRouteSummaryResp type="sandesh"><tables type="list" identifier="1"><list type="struct" size="1"><ShowRouteTableSummary><name type="string" identifier="1">${n}</name><prefixes type="u64" identifier="3">${p}</prefixes><paths type="u64" identifier="4">${p}</paths><pending_updates type="u64" identifier="13">${pend}</pending_updates><brand_new type="string" identifier="99">x</brand_new></ShowRouteTableSummary></list></tables><more type="bool" identifier="0">${i === 0}</more></ShowRouteSummaryResp>`,
        )
        .join('') +
      '</__ShowRouteSummaryResp_list>';
  // Never answers: only the client's own timeout can end the request (afterAll closes the connection).
  else if (url.pathname === '/Snh_Slow') return;
  if (body === undefined) return void res.writeHead(404).end('no such page');
  res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
});

describe('IntrospectClient against hand-written responses', () => {
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('follows next_batch through every page and keeps unknown fields in raw', async () => {
    requests.length = 0;
    const ns = await new IntrospectClient(url).neighbors();
    expect(ns.map((n) => [n.peer, n.encoding, n.state, n.flapCount])).toEqual([
      ['a', 'XMPP', 'Established', 2],
      ['b', 'XMPP', 'Active', 2],
      ['mx1', 'BGP', 'Established', 2],
      ['c', 'XMPP', 'Established', 2],
    ]);
    expect(ns[0]!.raw.auth_keys).toEqual([]);
    expect(requests.map((r) => r.split('?')[0])).toEqual([
      '/Snh_BgpNeighborReq',
      '/Snh_BgpNeighborReqIterate',
      '/Snh_BgpNeighborReqIterate',
    ]);
  });

  it('collects tables from every part of a multi-part response', async () => {
    const ts = await new IntrospectClient(url).routeSummary();
    expect(ts.map((t) => [t.name, t.prefixes, t.paths, t.pendingUpdates, t.secondaryPaths])).toEqual([
      ['t1', 5, 5, 1, 0],
      ['t2', 7, 7, 0, 0],
    ]);
    expect(ts[1]!.raw.brand_new).toBe('x');
  });

  it('fails with status and URL on a 404, and with the timeout on a slow page', async () => {
    const c = new IntrospectClient(url, { timeoutMs: 300 });
    await expect(c.request('Nope')).rejects.toMatchObject({ status: 404, url: `${url}Snh_Nope` });
    const err = await c.request('Slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContrailHttpError);
    expect((err as Error).message).toContain('no answer within 300 ms');
  });

  it('rejects a URL that is not one, saying what it expected', () => {
    expect(() => new IntrospectClient('control-node:8083x')).toThrow(/expected e\.g\. http:\/\/host:8083/);
  });
});
