/** Encodes BGP-4 messages to wire bytes. Input that cannot be encoded is a plain Error (a caller bug). */
import { encodeCapability } from './capabilities.ts';
import type { BgpMessage, OpenMessage, UpdateMessage } from './message-types.ts';
import { encodeAttributes, mpUnreachHead, attributeTlv } from './path-attributes.ts';
import { encodePrefixes, ipv4Bytes } from './prefixes.ts';
import {
  Afi,
  AS_TRANS,
  AttributeFlag,
  AttributeType,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  OPTIONAL_PARAMETER_CAPABILITIES,
  Safi,
} from './wire-codes.ts';

export interface EncodeOptions {
  /** Largest message allowed: 4096, or up to 65535 once extended messages were negotiated. */
  maxMessageLength?: number;
}

const TYPE_CODES = {
  OPEN: MessageType.OPEN,
  UPDATE: MessageType.UPDATE,
  END_OF_RIB: MessageType.UPDATE,
  NOTIFICATION: MessageType.NOTIFICATION,
  KEEPALIVE: MessageType.KEEPALIVE,
  ROUTE_REFRESH: MessageType.ROUTE_REFRESH,
} as const;

/** Marker, length and type in front of `body`. */
export function frame(type: number, body: Buffer, maxMessageLength = MAX_MESSAGE_LENGTH): Buffer {
  const length = HEADER_LENGTH + body.length;
  if (length > maxMessageLength) throw new Error(`message of ${length} bytes exceeds ${maxMessageLength}`);
  const out = Buffer.alloc(length, 0xff);
  out.writeUInt16BE(length, 16);
  out[18] = type;
  body.copy(out, HEADER_LENGTH);
  return out;
}

function openBody(m: OpenMessage): Buffer {
  const fourOctet = m.capabilities.find((c) => c.kind === 'four-octet-as');
  if (fourOctet && fourOctet.asn !== m.asn)
    throw new Error(`OPEN: AS ${m.asn} but 4-byte AS capability ${fourOctet.asn}`);
  if (m.asn > 0xffff && !fourOctet) throw new Error(`OPEN: AS ${m.asn} needs the 4-byte AS capability`);
  const caps = Buffer.concat(m.capabilities.map(encodeCapability));
  // All capabilities in one optional parameter, as RFC 5492 allows; its length is one byte.
  if (caps.length > 253)
    throw new Error(`OPEN: ${caps.length} bytes of capabilities do not fit one optional parameter`);
  const params =
    caps.length > 0
      ? Buffer.concat([Buffer.from([OPTIONAL_PARAMETER_CAPABILITIES, caps.length]), caps])
      : caps;
  const fixed = Buffer.alloc(10);
  fixed[0] = m.version;
  fixed.writeUInt16BE(m.asn > 0xffff ? AS_TRANS : m.asn, 1);
  fixed.writeUInt16BE(m.holdTimeSeconds, 3);
  ipv4Bytes(m.bgpId).copy(fixed, 5);
  fixed[9] = params.length;
  return Buffer.concat([fixed, params]);
}

/** Withdrawn routes length, withdrawn routes, path attributes length, path attributes, NLRI. */
export function updateBody(withdrawn: Buffer, attributes: Buffer, nlri: Buffer): Buffer {
  const out = Buffer.alloc(4 + withdrawn.length + attributes.length + nlri.length);
  out.writeUInt16BE(withdrawn.length, 0);
  withdrawn.copy(out, 2);
  out.writeUInt16BE(attributes.length, 2 + withdrawn.length);
  attributes.copy(out, 4 + withdrawn.length);
  nlri.copy(out, 4 + withdrawn.length + attributes.length);
  return out;
}

function updateMessageBody(m: UpdateMessage): Buffer {
  return updateBody(
    encodePrefixes(m.withdrawn, Afi.IPV4),
    encodeAttributes(m.attributes),
    encodePrefixes(m.nlri, Afi.IPV4),
  );
}

function body(m: BgpMessage): Buffer {
  switch (m.type) {
    case 'OPEN':
      return openBody(m);
    case 'UPDATE':
      return updateMessageBody(m);
    case 'END_OF_RIB': {
      // RFC 4724 2: IPv4 unicast is an empty UPDATE; other families an MP_UNREACH_NLRI with no prefixes.
      if (m.afi === Afi.IPV4 && m.safi === Safi.UNICAST)
        return updateBody(Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0));
      const unreach = attributeTlv(
        AttributeFlag.OPTIONAL,
        AttributeType.MP_UNREACH_NLRI,
        mpUnreachHead(m.afi, m.safi),
      );
      return updateBody(Buffer.alloc(0), unreach, Buffer.alloc(0));
    }
    case 'NOTIFICATION':
      return Buffer.concat([Buffer.from([m.code, m.subcode]), m.data]);
    case 'KEEPALIVE':
      return Buffer.alloc(0);
    case 'ROUTE_REFRESH': {
      // AFI (2), reserved (1), SAFI (1).
      const b = Buffer.alloc(4);
      b.writeUInt16BE(m.afi, 0);
      b[3] = m.safi;
      return b;
    }
  }
}

export function encodeMessage(m: BgpMessage, options: EncodeOptions = {}): Buffer {
  return frame(TYPE_CODES[m.type], body(m), options.maxMessageLength);
}
