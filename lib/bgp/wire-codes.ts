/** Numbers that BGP-4 puts on the wire (RFC 4271, 4760, 2918, 4724, 6793, 8654, 5492). */

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654: the limit once both speakers advertised the extended message capability. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** RFC 6793: the 2-byte "My AS" of a speaker whose AS does not fit in 2 bytes. */
export const AS_TRANS = 23456;

export const MessageType = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;

export const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
} as const;

export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
} as const;

/** OPEN optional parameter type that carries capabilities (RFC 5492). */
export const OPTIONAL_PARAMETER_CAPABILITIES = 2;

export const Afi = { IPV4: 1, IPV6: 2 } as const;
export const Safi = { UNICAST: 1 } as const;

export const AsPathSegmentType = { AS_SET: 1, AS_SEQUENCE: 2 } as const;

/** RFC 4724 restart flags (upper 4 bits of the restart time word) and per-family flags. */
export const GracefulRestartFlag = { RESTART_STATE: 0x8, NOTIFICATION: 0x4 } as const;
export const GracefulRestartFamilyFlag = { FORWARDING_PRESERVED: 0x80 } as const;
