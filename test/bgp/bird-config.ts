/** A BIRD 2 speaker's config, written from one plain description that the tests then assert against. */

export interface BirdSpeaker {
  routerId: string;
  /** Above 65535 BIRD must send AS_TRANS in OPEN and the AS in the 4-byte AS capability. */
  localAs: number;
  localAddress: string;
  /** BIRD's own listening port: not 179, so parallel runs and other daemons do not collide. */
  localPort: number;
  peerAs: number;
  peerAddress: string;
  peerPort: number;
  holdTimeSeconds: number;
  ipv4Routes: string[];
  ipv6Routes: string[];
  /** What BIRD puts in MP_REACH_NLRI for IPv6: the session runs over IPv4, so it has no address of its own. */
  ipv6NextHop: string;
}

/** `count` consecutive /24s from 10.1.0.0 on. */
export function ipv4Slash24s(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.${1 + (i >> 8)}.${i & 0xff}.0/24`);
}

/** `count` consecutive /48s from 2001:db8:100::/48 on (text in the decoder's RFC 5952 form). */
export function ipv6Slash48s(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `2001:db8:${(0x100 + i).toString(16)}::/48`);
}

export function birdConfig(s: BirdSpeaker): string {
  const statics = (routes: string[]) => routes.map((r) => `  route ${r} blackhole;`).join('\n');
  return `router id ${s.routerId};
log stderr all;

# Interfaces must be known for BIRD to resolve the neighbor; the static routes need nothing else.
protocol device {}

protocol static static4 {
  ipv4;
${statics(s.ipv4Routes)}
}

protocol static static6 {
  ipv6;
${statics(s.ipv6Routes)}
}

protocol bgp peer {
  local ${s.localAddress} port ${s.localPort} as ${s.localAs};
  neighbor ${s.peerAddress} port ${s.peerPort} as ${s.peerAs};
  # The neighbor is an address of this host (lo), not one on a shared subnet: multihop skips that check.
  multihop;
  hold time ${s.holdTimeSeconds};
  connect delay time 1;
  connect retry time 1;
  graceful restart on;
  ipv4 {
    import none;
    export all;
    next hop self;
  };
  ipv6 {
    import none;
    export all;
    next hop address ${s.ipv6NextHop};
  };
}
`;
}
