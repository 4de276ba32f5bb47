import { describe, expect, it } from 'vitest';
import { SandeshParseError, parseSandesh } from '../../lib/contrail/sandesh-parser.ts';

const PROLOG = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>';

describe('parseSandesh', () => {
  it('decodes scalars by type, a size="1" struct list as a one-item array, and unknown fields', () => {
    const xml =
      PROLOG +
      '<ShowRouteSummaryResp type="sandesh"><tables type="list" identifier="1"><list type="struct" size="1">' +
      '<ShowRouteTableSummary><name type="string" identifier="1">blue.inet.0</name>' +
      '<deleted type="bool" identifier="2">false</deleted><prefixes type="u64" identifier="3">12</prefixes>' +
      '<future_counter type="i32" identifier="40">-3</future_counter>' +
      '<labels type="list" identifier="41"><list type="string" size="2"><element>a&amp;b</element><element>c</element></list></labels>' +
      '<owner type="struct" identifier="42"><Owner><id type="u32" identifier="1">7</id></Owner></owner>' +
      '</ShowRouteTableSummary></list></tables>' +
      '<next_batch type="string" identifier="2" link="ShowRouteSummaryReqIterate">x||blue.inet.0</next_batch>' +
      '<more type="bool" identifier="0">false</more></ShowRouteSummaryResp>';
    const [resp, ...rest] = parseSandesh(xml);
    expect(rest).toEqual([]);
    expect(resp!.type).toBe('ShowRouteSummaryResp');
    expect(resp!.links).toEqual({ next_batch: 'ShowRouteSummaryReqIterate' });
    expect(resp!.fields).toEqual({
      tables: [
        {
          name: 'blue.inet.0',
          deleted: false,
          prefixes: 12,
          future_counter: -3,
          labels: ['a&b', 'c'],
          owner: { id: 7 },
        },
      ],
      next_batch: 'x||blue.inet.0',
    });
  });

  it('splits a multi-part __X_list response into its parts, in order', () => {
    const part = (names: string[], more: boolean) =>
      '<ShowXmppConnectionResp type="sandesh"><connections type="list" identifier="1">' +
      `<list type="struct" size="${names.length}">` +
      names
        .map((n) => `<ShowXmppConnection><name type="string" identifier="1">${n}</name></ShowXmppConnection>`)
        .join('') +
      `</list></connections><more type="bool" identifier="0">${more}</more></ShowXmppConnectionResp>`;
    const xml = `${PROLOG}<__ShowXmppConnectionResp_list type="slist">${part(['a', 'b'], true)}${part(['c'], false)}</__ShowXmppConnectionResp_list>`;
    const parts = parseSandesh(xml);
    expect(parts.map((p) => p.fields.connections)).toEqual([[{ name: 'a' }, { name: 'b' }], [{ name: 'c' }]]);
  });

  it('reads an empty list and empty strings', () => {
    const xml =
      '<BgpNeighborListResp type="sandesh"><neighbors type="list" identifier="1"><list type="struct" size="0"></list></neighbors>' +
      '<next_batch type="string" identifier="2" link="BgpNeighborReqIterate"></next_batch><more type="bool" identifier="0">false</more></BgpNeighborListResp>';
    expect(parseSandesh(xml)[0]!.fields).toEqual({ neighbors: [], next_batch: '' });
  });

  it('says what is wrong with a body that is not sandesh', () => {
    expect(() => parseSandesh('<html><body>502</body></html>', 'GET http://x/Snh_A')).toThrow(
      'GET http://x/Snh_A: no element with type="sandesh" found',
    );
    expect(() => parseSandesh('<a><b></a>', 'GET http://x/Snh_A')).toThrow(SandeshParseError);
  });
});
