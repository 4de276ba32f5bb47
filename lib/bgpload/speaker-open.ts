/**
 * The OPEN a load-generator or monitor session sends, and what both OPENs together negotiate.
 * Graceful restart is advertised only so End-of-RIB means something to the DUT; its restart time is
 * 0 so a DUT never keeps our routes as stale after a flap (RFC 4724 4.2: they go at once).
 */
import type { Capability, OpenMessage } from '../bgp/message-types.ts';
import { Afi, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, Safi } from '../bgp/wire-codes.ts';
import type { Family } from './address-range.ts';

export interface SpeakerIdentity {
  asn: number;
  /** BGP identifier (an IPv4 address). */
  bgpId: string;
  families: readonly Family[];
  holdTimeSeconds: number;
  /** Advertise RFC 8654 extended messages; used only when the DUT advertises them too. */
  extendedMessages: boolean;
}

export const AFI_OF: Readonly<Record<Family, 1 | 2>> = { ipv4: Afi.IPV4, ipv6: Afi.IPV6 };

export function speakerOpen(s: SpeakerIdentity): OpenMessage {
  const families = s.families.map((f) => ({ afi: AFI_OF[f], safi: Safi.UNICAST }));
  const capabilities: Capability[] = [
    ...families.map((f): Capability => ({ kind: 'multiprotocol', ...f })),
    { kind: 'route-refresh' },
    { kind: 'four-octet-as', asn: s.asn },
    {
      kind: 'graceful-restart',
      flags: 0,
      restartTimeSeconds: 0,
      families: families.map((f) => ({ ...f, flags: 0 })),
    },
  ];
  if (s.extendedMessages) capabilities.push({ kind: 'extended-message' });
  return {
    type: 'OPEN',
    version: 4,
    asn: s.asn,
    holdTimeSeconds: s.holdTimeSeconds,
    bgpId: s.bgpId,
    capabilities,
  };
}

export interface Negotiated {
  /** RFC 4271 4.2: the smaller of both hold times; 0 turns keepalives and the hold timer off. */
  holdTimeSeconds: number;
  extendedMessages: boolean;
  maxMessageLength: number;
}

export function negotiate(ours: OpenMessage, theirs: OpenMessage): Negotiated {
  const both = (kind: Capability['kind']) =>
    ours.capabilities.some((c) => c.kind === kind) && theirs.capabilities.some((c) => c.kind === kind);
  const extendedMessages = both('extended-message');
  return {
    holdTimeSeconds: Math.min(ours.holdTimeSeconds, theirs.holdTimeSeconds),
    extendedMessages,
    maxMessageLength: extendedMessages ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
  };
}
