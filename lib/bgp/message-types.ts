/** The in-memory form of BGP-4 messages: what the encoder takes and the decoder gives. */

/** A capability advertised in OPEN (RFC 5492); unknown ones are kept as raw bytes. */
export type Capability =
  | { kind: 'multiprotocol'; afi: number; safi: number }
  | { kind: 'route-refresh' }
  | { kind: 'four-octet-as'; asn: number }
  | {
      kind: 'graceful-restart';
      /** GracefulRestartFlag bits (4 bits). */
      flags: number;
      restartTimeSeconds: number;
      families: GracefulRestartFamily[];
    }
  | { kind: 'extended-message' }
  | { kind: 'unknown'; code: number; value: Buffer };

export interface GracefulRestartFamily {
  afi: number;
  safi: number;
  /** GracefulRestartFamilyFlag bits. */
  flags: number;
}

export interface AsPathSegment {
  type: 'sequence' | 'set';
  asns: number[];
}

/**
 * A path attribute. Prefixes are text ("10.0.0.0/24", "2001:db8::/32"); unknown attributes keep
 * their flags and raw value so they can be passed on unchanged.
 */
export type PathAttribute =
  | { kind: 'origin'; origin: 'igp' | 'egp' | 'incomplete' }
  | { kind: 'as-path'; segments: AsPathSegment[] }
  | { kind: 'next-hop'; address: string }
  | { kind: 'med'; value: number }
  | { kind: 'local-pref'; value: number }
  /** Each community as its 32-bit value (high 16 bits: AS, low 16 bits: value). */
  | { kind: 'communities'; communities: number[] }
  /** For IPv6 unicast: one global next hop, or global then link-local (16 or 32 bytes). */
  | { kind: 'mp-reach'; afi: number; safi: number; nextHops: string[]; nlri: string[] }
  | { kind: 'mp-unreach'; afi: number; safi: number; withdrawn: string[] }
  | { kind: 'unknown'; flags: number; typeCode: number; value: Buffer };

export interface OpenMessage {
  type: 'OPEN';
  version: number;
  /** The speaker's AS; above 65535 the 2-byte field carries AS_TRANS and the four-octet-as capability the AS. */
  asn: number;
  holdTimeSeconds: number;
  bgpId: string;
  capabilities: Capability[];
}

export interface UpdateMessage {
  type: 'UPDATE';
  /** IPv4 unicast withdrawn routes. */
  withdrawn: string[];
  attributes: PathAttribute[];
  /** IPv4 unicast announced prefixes. */
  nlri: string[];
}

/** RFC 4724: an UPDATE that says the initial table of one address family has been sent. */
export interface EndOfRibMessage {
  type: 'END_OF_RIB';
  afi: number;
  safi: number;
}

export interface NotificationMessage {
  type: 'NOTIFICATION';
  code: number;
  subcode: number;
  data: Buffer;
}

export interface KeepaliveMessage {
  type: 'KEEPALIVE';
}

export interface RouteRefreshMessage {
  type: 'ROUTE_REFRESH';
  afi: number;
  safi: number;
}

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | EndOfRibMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

/** What the decoder gives: a NOTIFICATION also carries its readable reason. */
export type DecodedBgpMessage =
  Exclude<BgpMessage, NotificationMessage> | (NotificationMessage & { reason: string });
