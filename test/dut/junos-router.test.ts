import { describe, expect, it } from 'vitest';
import { routerSchema } from '../../lib/config/lab-schema.ts';
import { parseJunosBgpNeighbors } from '../../lib/dut/junos-bgp-neighbor.ts';
import { RouterCheck } from '../../lib/dut/junos-router.ts';
import { parseJunosRouteSummary } from '../../lib/dut/junos-route-summary.ts';
import { SHOW_BGP_NEIGHBOR, SHOW_ROUTE_SUMMARY } from './junos-output.ts';
import { scriptedHost } from './scripted-host.ts';

const config = routerSchema.parse({ host: 'mx80' });

describe('Junos show bgp neighbor', () => {
  it('reads each peer, its session state and its per-table prefix counters', () => {
    const peers = parseJunosBgpNeighbors(SHOW_BGP_NEIGHBOR);
    expect(peers.map((p) => [p.peer, p.state])).toEqual([
      ['10.84.7.42', 'Established'],
      ['10.84.7.40', 'Active'],
      ['192.0.2.9', 'Established'],
    ]);
    expect(peers[0]!.tables).toEqual([
      {
        table: 'bgp.l3vpn.0',
        active: 1180,
        received: 1200,
        accepted: 1190,
        suppressed: 0,
        advertised: 0,
      },
      // No "Advertised prefixes" line for a VRF table that is not advertised.
      {
        table: 'public.inet.0',
        active: 40,
        received: 40,
        accepted: 40,
        suppressed: 0,
        advertised: undefined,
      },
    ]);
    expect(peers[1]!.tables).toEqual([]);
    expect(peers[2]!.tables.map((t) => [t.table, t.received, t.advertised])).toEqual([['inet.0', 1, 3]]);
  });

  it('takes the session state, not "Last State" or the I/O thread state', () => {
    const out = [
      'Peer: 10.84.7.42 AS 64512 Local: 10.84.7.250 AS 64512',
      '  Last State: Established   Last Event: HoldTime',
      '  Type: Internal    State: Connect      (route reflector client)Flags: <>',
      '  I/O Session Thread: bgpio-0 State: Enabled',
    ].join('\n');
    expect(parseJunosBgpNeighbors(out)).toEqual([{ peer: '10.84.7.42', state: 'Connect', tables: [] }]);
  });

  it('reads IPv6 peers with ports', () => {
    const out =
      'Peer: 2001:db8:7::42+179 AS 64512 Local: 2001:db8:7::250+63754 AS 64512\n  Type: Internal    State: OpenSent    Flags: <>\n';
    expect(parseJunosBgpNeighbors(out)).toEqual([{ peer: '2001:db8:7::42', state: 'OpenSent', tables: [] }]);
  });
});

describe('Junos show route summary', () => {
  it('reads every table with its counts and protocols, skipping the preamble', () => {
    const s = parseJunosRouteSummary(SHOW_ROUTE_SUMMARY);
    expect(s.asNumber).toBe(64512);
    expect(s.routerId).toBe('10.84.7.250');
    expect(s.tables.map((t) => t.name)).toEqual([
      'inet.0',
      'inet.3',
      'mpls.0',
      'bgp.l3vpn.0',
      'public.inet.0',
      'inet6.0',
    ]);
    expect(s.tables.find((t) => t.name === 'bgp.l3vpn.0')).toEqual({
      name: 'bgp.l3vpn.0',
      destinations: 1200,
      routes: 1210,
      active: 1180,
      holddown: 0,
      hidden: 20,
      protocols: [{ protocol: 'BGP', routes: 1210, active: 1180 }],
    });
    expect(s.tables[0]!.protocols.map((p) => [p.protocol, p.routes, p.active])).toEqual([
      ['Direct', 6, 5],
      ['Local', 6, 6],
      ['BGP', 1, 1],
      ['OSPF', 13, 13],
      ['Static', 1, 1],
    ]);
  });

  it('finds nothing in output that is not a route summary', () => {
    expect(parseJunosRouteSummary('error: syntax error, expecting <command>: summry\n').tables).toEqual([]);
  });
});

describe('RouterCheck', () => {
  it('counts the configured table, and zero when the router lists other tables but not that one', async () => {
    let summary = SHOW_ROUTE_SUMMARY;
    const host = scriptedHost('mx80', () => ({ stdout: summary }));
    const r = new RouterCheck({ host, config });
    expect((await r.tableRoutes()).routes).toBe(1210);
    expect(host.commands).toEqual(['cli -c "show route summary"']);
    summary = 'inet.0: 26 destinations, 27 routes (26 active, 0 holddown, 0 hidden)\n';
    expect(await r.tableRoutes()).toMatchObject({ name: 'bgp.l3vpn.0', routes: 0, destinations: 0 });
  });

  it('names the router, the command and what it printed when the output is not a summary', async () => {
    const host = scriptedHost('mx80', () => ({
      stdout: 'error: syntax error, expecting <command>: summry\n',
    }));
    await expect(new RouterCheck({ host, config }).tableRoutes()).rejects.toThrow(
      `router mx80: 'cli -c "show route summary"' printed no table lines (expected "<table>: N destinations, ` +
        'N routes (N active, N holddown, N hidden)"), got: error: syntax error, expecting <command>: summry',
    );
  });

  it('names the router, the key and the exit status when the command fails', async () => {
    const host = scriptedHost('mx80', () => ({
      code: 255,
      stderr: 'ssh: connect to host mx80: No route to host\n',
    }));
    await expect(new RouterCheck({ host, config }).allUp()).rejects.toThrow(
      `router mx80: showBgpNeighborCommand 'cli -c "show bgp neighbor"' exited 255: ssh: connect to host mx80: No route to host`,
    );
  });

  it('counts the peers in the configured up state', async () => {
    const host = scriptedHost('mx80', () => ({ stdout: SHOW_BGP_NEIGHBOR }));
    expect(await new RouterCheck({ host, config }).allUp()).toMatchObject({ up: 2, total: 3 });
  });
});
