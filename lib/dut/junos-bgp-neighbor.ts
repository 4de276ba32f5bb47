/**
 * Junos `show bgp neighbor`: a block per peer, "Peer: <addr>[+port] AS n Local: ...", with "State: <state>"
 * in it and, once the session is up, one counter block per table the peer contributes to:
 *
 *   Table bgp.l3vpn.0 Bit: 30001
 *     RIB State: BGP restart is complete
 *     Send state: in sync
 *     Active prefixes:              1200
 *     Received prefixes:            1200
 *     Accepted prefixes:            1200
 *     Suppressed due to damping:    0
 *     Advertised prefixes:          0
 *
 *   parseJunosBgpNeighbors(text) -> [{ peer: '10.84.7.42', state: 'Established', tables: [{ table: 'bgp.l3vpn.0', received: 1200, ... }] }]
 */

export interface RouterNeighborTable {
  table: string;
  active: number | undefined;
  received: number | undefined;
  accepted: number | undefined;
  suppressed: number | undefined;
  advertised: number | undefined;
}

export interface RouterNeighbor {
  peer: string;
  state: string;
  tables: RouterNeighborTable[];
}

const PEER_LINE = /^\s*Peer:\s+([\d.:a-fA-F]+?)(?:\+\d+)?\s/;
// "Bit:" is absent in some releases' output; the name is the table either way.
const TABLE_LINE = /^\s*Table\s+(\S+)(?:\s+Bit:\s*\w+)?\s*$/;
const COUNTERS: Record<string, keyof Omit<RouterNeighborTable, 'table'>> = {
  'Active prefixes': 'active',
  'Received prefixes': 'received',
  'Accepted prefixes': 'accepted',
  'Suppressed due to damping': 'suppressed',
  'Advertised prefixes': 'advertised',
};
const COUNTER_LINE = new RegExp(`^\\s*(${Object.keys(COUNTERS).join('|')}):\\s+(\\d+)\\s*$`);

export function parseJunosBgpNeighbors(output: string): RouterNeighbor[] {
  const out: RouterNeighbor[] = [];
  let peer: RouterNeighbor | undefined;
  let table: RouterNeighborTable | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const p = PEER_LINE.exec(line);
    if (p) {
      peer = { peer: p[1]!, state: '', tables: [] };
      table = undefined;
      out.push(peer);
      continue;
    }
    if (!peer) continue;
    const t = TABLE_LINE.exec(line);
    if (t) {
      table = {
        table: t[1]!,
        active: undefined,
        received: undefined,
        accepted: undefined,
        suppressed: undefined,
        advertised: undefined,
      };
      peer.tables.push(table);
      continue;
    }
    const c = COUNTER_LINE.exec(line);
    if (c && table) {
      table[COUNTERS[c[1]!]!] = Number(c[2]);
      continue;
    }
    // The first State: of the block is the session's; "Last State:" and "I/O Session Thread: ... State:" are not.
    const state = /(?:^|\s)Type:\s+\S+\s+State:\s+(\S+)/.exec(line) ?? /^\s*State:\s+(\S+)/.exec(line);
    if (state && !peer.state) peer.state = state[1]!;
  }
  return out;
}
