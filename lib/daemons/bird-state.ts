/**
 * Reads BIRD's text (BIRD has no JSON): `show protocols all` gives each BGP protocol's neighbor, state
 * and imported routes; `show protocols` a one-line row per protocol whose Info column holds a BGP
 * protocol's session state; `show route count` the networks in the master table.
 */
import { sessionState, type BgpDaemonPeerState } from './bgp-daemon.ts';

/** Splits `show protocols all` into one block per protocol (a block starts at an unindented line). */
function protocolBlocks(text: string): string[][] {
  const blocks: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) blocks.push([line]);
    else if (blocks.length > 0) blocks[blocks.length - 1]!.push(line);
  }
  return blocks;
}

export function parseBirdProtocols(text: string): BgpDaemonPeerState[] {
  const peers: BgpDaemonPeerState[] = [];
  for (const block of protocolBlocks(text)) {
    const head = block[0]!.trim().split(/\s+/);
    if (head[1] !== 'BGP') continue;
    const body = block.join('\n');
    const address = /^\s+Neighbor address:\s+(\S+)/m.exec(body)?.[1];
    if (!address)
      throw new Error(`birdc show protocols all: protocol ${head[0]} has no "Neighbor address" line`);
    // "BGP state:" is there for every BGP protocol; a protocol that is down says Idle or Active.
    const state = /^\s+BGP state:\s+(\S+)/m.exec(body)?.[1] ?? 'unknown';
    const imported = /^\s+Routes:\s+(\d+) imported/m.exec(body)?.[1];
    peers.push({ address, state: sessionState(state), prefixesReceived: imported ? Number(imported) : 0 });
  }
  return peers;
}

/** "N of M routes for K networks in table master4" -> K; 0 when the table is not listed. */
export function parseBirdRouteCount(text: string): number {
  const m = /(\d+) of \d+ routes for (\d+) networks in table master4/.exec(text);
  if (m) return Number(m[2]);
  if (/(\d+) of \d+ routes for \d+ networks/.test(text) || /Total: /.test(text)) return 0;
  throw new Error(`birdc show route count: unexpected output: ${text.trim().slice(0, 200)}`);
}

export interface BirdProtocolRow {
  name: string;
  proto: string;
  /** "up", "down", "start", ... */
  state: string;
  /** For BGP the session state ("Established", "Active", "Idle") or the last error. */
  info: string;
}

const PROTOCOL_HEADER = /^Name\s+Proto\s+Table\s+State\s+Since\s+Info\s*$/;

/** `show protocols` (the short table): a header line, then "name proto table state since info...". */
export function parseBirdProtocolTable(text: string): BirdProtocolRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const what = 'bird show protocols';
  if (lines.length === 0 || !PROTOCOL_HEADER.test(lines[0]!))
    throw new Error(
      `${what}: expected the header "Name Proto Table State Since Info", got ${JSON.stringify(text.slice(0, 200))}`,
    );
  return lines.slice(1).map((line) => {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5)
      throw new Error(`${what}: expected "name proto table state since [info]", got ${JSON.stringify(line)}`);
    return { name: cols[0]!, proto: cols[1]!, state: cols[3]!, info: cols.slice(5).join(' ') };
  });
}
