/** Strict decoding of one BGP-4 message; the only error it throws is a BgpDecodeError. */
import { ByteCursor } from './byte-cursor.ts';
import { decodeCapabilities } from './capabilities.ts';
import { BgpDecodeError } from './decode-error.ts';
import { readHeader, type HeaderOptions } from './header.ts';
import type { Capability, DecodedBgpMessage, OpenMessage, PathAttribute } from './message-types.ts';
import { notificationReason } from './notification-reason.ts';
import { decodeAttributes } from './path-attributes.ts';
import { addressText, decodePrefixes } from './prefixes.ts';
import { Afi, AttributeType, MessageType, OPTIONAL_PARAMETER_CAPABILITIES, Safi } from './wire-codes.ts';

export type DecodeOptions = HeaderOptions;

function decodeOpen(c: ByteCursor): OpenMessage {
  const version = c.u8('version');
  if (version !== 4) c.fail('version', `${version} is not 4`, 19);
  const myAs = c.u16('my AS');
  const holdTimeSeconds = c.u16('hold time');
  // RFC 4271 4.2: zero (no keepalives) or at least three seconds.
  if (holdTimeSeconds === 1 || holdTimeSeconds === 2)
    c.fail('hold time', `${holdTimeSeconds} is neither 0 nor at least 3`, 22);
  const id = c.bytes(4, 'BGP identifier');
  if (id.readUInt32BE(0) === 0) c.fail('BGP identifier', '0.0.0.0 is not a valid identifier', 24);
  const paramsLength = c.u8('optional parameters length');
  const params = c.region(paramsLength, 'optional parameters length', 28);
  if (c.remaining > 0)
    c.fail('optional parameters length', `${paramsLength} leaves ${c.remaining} bytes unread`, 28);
  const capabilities: Capability[] = [];
  while (params.remaining > 0) {
    const at = params.pos;
    const type = params.u8('optional parameter type');
    const length = params.u8('optional parameter length');
    const value = params.region(length, 'optional parameter length', at + 1);
    if (type !== OPTIONAL_PARAMETER_CAPABILITIES) {
      params.fail('optional parameter type', `${type} is not supported (only capabilities, 2)`, at);
    }
    capabilities.push(...decodeCapabilities(value));
  }
  const fourOctet = capabilities.find((cap) => cap.kind === 'four-octet-as');
  return {
    type: 'OPEN',
    version,
    asn: fourOctet?.asn ?? myAs,
    holdTimeSeconds,
    bgpId: addressText(id),
    capabilities,
  };
}

/** RFC 4724 2: an UPDATE with nothing in it, or with only an empty MP_UNREACH_NLRI, ends a family's initial table. */
function endOfRibFamily(withdrawn: string[], attributes: PathAttribute[], nlri: string[]) {
  if (withdrawn.length > 0 || nlri.length > 0 || attributes.length > 1) return undefined;
  const only = attributes[0];
  if (only === undefined) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  if (only.kind === 'mp-unreach' && only.withdrawn.length === 0) return { afi: only.afi, safi: only.safi };
  if (only.kind === 'unknown' && only.typeCode === AttributeType.MP_UNREACH_NLRI && only.value.length === 3) {
    return { afi: only.value.readUInt16BE(0), safi: only.value[2] as number };
  }
  return undefined;
}

const MANDATORY: ReadonlyArray<[PathAttribute['kind'], string]> = [
  ['origin', 'ORIGIN'],
  ['as-path', 'AS_PATH'],
  ['next-hop', 'NEXT_HOP'],
];

function decodeUpdate(c: ByteCursor): DecodedBgpMessage {
  const withdrawnLength = c.u16('withdrawn routes length');
  const withdrawn = decodePrefixes(
    c.region(withdrawnLength, 'withdrawn routes length', 19),
    Afi.IPV4,
    'withdrawn routes',
  );
  const attributesAt = c.pos;
  const attributesLength = c.u16('path attributes length');
  const attributes = decodeAttributes(c.region(attributesLength, 'path attributes length', attributesAt));
  const nlri = decodePrefixes(c, Afi.IPV4, 'NLRI');
  const eor = endOfRibFamily(withdrawn, attributes, nlri);
  if (eor) return { type: 'END_OF_RIB', ...eor };
  // RFC 4271 5: announcements need ORIGIN and AS_PATH, and NEXT_HOP for IPv4 NLRI (RFC 4760 puts it in MP_REACH).
  const mpReach = attributes.some((a) => a.kind === 'mp-reach' && a.nlri.length > 0);
  if (nlri.length > 0 || mpReach) {
    for (const [kind, name] of MANDATORY) {
      if (kind === 'next-hop' && nlri.length === 0) continue;
      if (!attributes.some((a) => a.kind === kind))
        c.fail('path attributes', `${name} is missing`, attributesAt);
    }
  }
  return { type: 'UPDATE', withdrawn, attributes, nlri };
}

/** Decodes exactly one message: `buf` holds it and nothing else (the framer cuts a stream into such buffers). */
export function decodeMessage(buf: Buffer, options: DecodeOptions): DecodedBgpMessage {
  const header = readHeader(buf, 0, options);
  if (buf.length !== header.length) {
    throw new BgpDecodeError(
      options.peer,
      header.typeName,
      'length',
      16,
      `${header.length} but ${buf.length} bytes given`,
    );
  }
  const c = new ByteCursor(buf, 19, header.length, options.peer, header.typeName);
  switch (header.type) {
    case MessageType.OPEN:
      return decodeOpen(c);
    case MessageType.UPDATE:
      return decodeUpdate(c);
    case MessageType.NOTIFICATION: {
      const code = c.u8('error code');
      const subcode = c.u8('error subcode');
      const data = Buffer.from(c.bytes(c.remaining, 'data'));
      return { type: 'NOTIFICATION', code, subcode, data, reason: notificationReason(code, subcode) };
    }
    case MessageType.KEEPALIVE:
      return { type: 'KEEPALIVE' };
    default: {
      if (c.remaining !== 4) c.fail('length', `${header.length} is not 23`, 16);
      const afi = c.u16('AFI');
      c.u8('reserved');
      return { type: 'ROUTE_REFRESH', afi, safi: c.u8('SAFI') };
    }
  }
}
