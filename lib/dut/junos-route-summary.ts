/**
 * Junos `show route summary`: one block per routing table, a header line with its counts and one line
 * per protocol that contributes routes to it.
 *
 *   bgp.l3vpn.0: 1200 destinations, 2400 routes (1200 active, 0 holddown, 0 hidden)
 *                    BGP:   2400 routes,   1200 active
 *
 * Preamble lines (autonomous system, router ID, the "Highwater Mark" block of newer releases, `{master}`)
 * and anything else not in these two shapes are skipped.
 *
 *   parseJunosRouteSummary(text) -> { tables: [{ name: 'bgp.l3vpn.0', destinations: 1200, routes: 2400, ... }] }
 */

export interface JunosProtocolRoutes {
  /** As Junos prints it: BGP, Direct, Local, OSPF, L-OSPF, LDP, ... */
  protocol: string;
  routes: number;
  active: number;
}

export interface JunosRouteTable {
  /** bgp.l3vpn.0, inet.0, <vrf>.inet.0, ... */
  name: string;
  destinations: number;
  /** All routes of the table, holddown and hidden ones included (several per destination with several peers). */
  routes: number;
  active: number;
  holddown: number;
  /** Routes kept but unusable (unresolvable next hop, rejected by policy). */
  hidden: number;
  protocols: JunosProtocolRoutes[];
}

export interface JunosRouteSummary {
  asNumber: number | undefined;
  routerId: string | undefined;
  tables: JunosRouteTable[];
}

const TABLE_LINE =
  /^\s*(\S+): (\d+) destinations?, (\d+) routes? \((\d+) active, (\d+) holddown, (\d+) hidden\)/;
const PROTOCOL_LINE = /^\s+([A-Za-z][\w-]*):\s+(\d+) routes?,\s+(\d+) active\s*$/;

export function parseJunosRouteSummary(output: string): JunosRouteSummary {
  const summary: JunosRouteSummary = { asNumber: undefined, routerId: undefined, tables: [] };
  let current: JunosRouteTable | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const t = TABLE_LINE.exec(line);
    if (t) {
      current = {
        name: t[1]!,
        destinations: Number(t[2]),
        routes: Number(t[3]),
        active: Number(t[4]),
        holddown: Number(t[5]),
        hidden: Number(t[6]),
        protocols: [],
      };
      summary.tables.push(current);
      continue;
    }
    const p = PROTOCOL_LINE.exec(line);
    if (p && current) {
      current.protocols.push({ protocol: p[1]!, routes: Number(p[2]), active: Number(p[3]) });
      continue;
    }
    const as = /^\s*Autonomous system number:\s+(\d+)/.exec(line);
    if (as) summary.asNumber = Number(as[1]);
    const id = /^\s*Router ID:\s+(\S+)/.exec(line);
    if (id) summary.routerId = id[1];
    // A blank line ends a table's protocol block; a stray "X: n routes, m active" after it is not the table's.
    if (line.trim() === '') current = undefined;
  }
  return summary;
}
