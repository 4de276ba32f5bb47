/** BIRD 2's config for the device under test: one passive BGP protocol per neighbor, import and export all. */
import type { BgpNeighbor } from './bgp-daemon.ts';
import { BIRD_WATCH_MARK, BIRD_WATCHDOG_WARNING_MS } from './bird-route-log.ts';

export interface BirdDutConfig {
  localAs: number;
  routerId: string;
  address: string;
  port: number;
  holdTimeSeconds: number;
  neighbors: readonly BgpNeighbor[];
  /**
   * Set on loopback: the neighbors are not on a connected network BIRD knows (it ignores lo), so the
   * sessions are multihop and their next hops (198.18.x, see DaemonTopology.peerNextHops) resolve
   * through a private IGP table holding one device route; that table is never exported.
   */
  multihop: boolean;
  /** Prefixes the import filter logs as BIRD takes them in, with the cycles that stamp them (bird-route-log.ts). */
  watchPrefixes?: readonly string[];
}

/** Protocol names: neighbors are told apart by the "Neighbor address" birdc prints, not by name. */
export function birdProtocolName(index: number): string {
  return `n${index + 1}`;
}

export function birdDutConfig(c: BirdDutConfig): string {
  const protocols = c.neighbors
    .map((n, i) => `protocol bgp ${birdProtocolName(i)} from dut_peer { neighbor ${n.address} as ${n.as}; }`)
    .join('\n');
  const watch = c.watchPrefixes ?? [];
  return `router id ${c.routerId};
log stderr { info, warning, error, fatal, bug };
${
  watch.length
    ? `
timeformat log "%F %T.%6f";
# Every loop cycle longer than this is logged with its length: it bounds when a watched prefix was taken in.
watchdog warning ${BIRD_WATCHDOG_WARNING_MS} ms;
filter watched_in {
  if net ~ [ ${watch.join(', ')} ] then print "${BIRD_WATCH_MARK} ", net;
  accept;
}
`
    : ''
}
# BIRD resolves a neighbor and its next hops from the interfaces this protocol reports.
protocol device {}
${
  c.multihop
    ? `
ipv4 table igp4;
protocol static igp_routes {
  ipv4 { table igp4; };
  route 198.18.0.0/15 via "lo";
}
`
    : ''
}
template bgp dut_peer {
  local ${c.address} port ${c.port} as ${c.localAs};
  # The peers connect; the daemon never dials out (on loopback there is nothing to dial).
  passive on;${c.multihop ? '\n  multihop;' : ''}
  hold time ${c.holdTimeSeconds};
  # After a session error BIRD waits error-wait seconds before it accepts again (default 60-300 s).
  error wait time 1, 2;
  ipv4 {${c.multihop ? '\n    igp table igp4;' : ''}
    # BIRD has no implicit policy on eBGP: without these nothing is accepted or sent on.
    import ${watch.length ? 'filter watched_in' : 'all'};
    export all;
  };
}

${protocols}
`;
}
