/** UPDATE path attributes (RFC 4271 4.3 and 5, RFC 1997, RFC 4760, AS_PATH with 4-byte ASNs per RFC 6793). */
import type { ByteCursor } from './byte-cursor.ts';
import type { AsPathSegment, PathAttribute } from './message-types.ts';
import {
  addressBits,
  addressText,
  decodePrefixes,
  encodePrefixes,
  ipv4Bytes,
  ipv6Bytes,
} from './prefixes.ts';
import { Afi, AsPathSegmentType, AttributeFlag, AttributeType, Safi } from './wire-codes.ts';

const WELL_KNOWN = AttributeFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttributeFlag.OPTIONAL;
const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

export const ATTRIBUTE_NAMES: Readonly<Record<number, string>> = {
  [AttributeType.ORIGIN]: 'ORIGIN',
  [AttributeType.AS_PATH]: 'AS_PATH',
  [AttributeType.NEXT_HOP]: 'NEXT_HOP',
  [AttributeType.MULTI_EXIT_DISC]: 'MULTI_EXIT_DISC',
  [AttributeType.LOCAL_PREF]: 'LOCAL_PREF',
  [AttributeType.COMMUNITIES]: 'COMMUNITIES',
  [AttributeType.MP_REACH_NLRI]: 'MP_REACH_NLRI',
  [AttributeType.MP_UNREACH_NLRI]: 'MP_UNREACH_NLRI',
};

/** Optional and transitive bits each known attribute must carry. */
const EXPECTED_FLAGS: Readonly<Record<number, number>> = {
  [AttributeType.ORIGIN]: WELL_KNOWN,
  [AttributeType.AS_PATH]: WELL_KNOWN,
  [AttributeType.NEXT_HOP]: WELL_KNOWN,
  [AttributeType.LOCAL_PREF]: WELL_KNOWN,
  [AttributeType.MULTI_EXIT_DISC]: OPTIONAL_NON_TRANSITIVE,
  [AttributeType.MP_REACH_NLRI]: OPTIONAL_NON_TRANSITIVE,
  [AttributeType.MP_UNREACH_NLRI]: OPTIONAL_NON_TRANSITIVE,
  [AttributeType.COMMUNITIES]: OPTIONAL_TRANSITIVE,
};

const ORIGINS = ['igp', 'egp', 'incomplete'] as const;

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

/** Flags, type, then a 1-byte length, or a 2-byte one when the value needs it or the flags ask for it. */
export function attributeTlv(flags: number, typeCode: number, value: Buffer): Buffer {
  const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0 || value.length > 255;
  if (value.length > 0xffff) throw new Error(`path attribute ${typeCode}: value of ${value.length} bytes`);
  const head = Buffer.alloc(extended ? 4 : 3);
  head[0] = extended ? flags | AttributeFlag.EXTENDED_LENGTH : flags;
  head[1] = typeCode;
  if (extended) head.writeUInt16BE(value.length, 2);
  else head[2] = value.length;
  return Buffer.concat([head, value]);
}

function encodeAsPath(segments: readonly AsPathSegment[]): Buffer {
  return Buffer.concat(
    segments.map((s) => {
      if (s.asns.length < 1 || s.asns.length > 255)
        throw new Error(`AS_PATH segment of ${s.asns.length} ASNs`);
      const type = s.type === 'set' ? AsPathSegmentType.AS_SET : AsPathSegmentType.AS_SEQUENCE;
      return Buffer.concat([Buffer.from([type, s.asns.length]), ...s.asns.map(u32)]);
    }),
  );
}

function nextHopBytes(afi: number, nextHops: readonly string[]): Buffer {
  return Buffer.concat(nextHops.map((h) => (afi === Afi.IPV6 ? ipv6Bytes(h) : ipv4Bytes(h))));
}

/** The MP_REACH_NLRI value up to (not including) its NLRI: AFI, SAFI, next hop, reserved byte. */
export function mpReachHead(afi: number, safi: number, nextHops: readonly string[]): Buffer {
  const nh = nextHopBytes(afi, nextHops);
  const head = Buffer.alloc(5 + nh.length);
  head.writeUInt16BE(afi, 0);
  head[2] = safi;
  head[3] = nh.length;
  nh.copy(head, 4);
  return head;
}

export function mpUnreachHead(afi: number, safi: number): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt16BE(afi, 0);
  head[2] = safi;
  return head;
}

export function encodeAttribute(a: PathAttribute): Buffer {
  switch (a.kind) {
    case 'origin':
      return attributeTlv(WELL_KNOWN, AttributeType.ORIGIN, Buffer.from([ORIGINS.indexOf(a.origin)]));
    case 'as-path':
      return attributeTlv(WELL_KNOWN, AttributeType.AS_PATH, encodeAsPath(a.segments));
    case 'next-hop':
      return attributeTlv(WELL_KNOWN, AttributeType.NEXT_HOP, ipv4Bytes(a.address));
    case 'med':
      return attributeTlv(OPTIONAL_NON_TRANSITIVE, AttributeType.MULTI_EXIT_DISC, u32(a.value));
    case 'local-pref':
      return attributeTlv(WELL_KNOWN, AttributeType.LOCAL_PREF, u32(a.value));
    case 'communities':
      return attributeTlv(
        OPTIONAL_TRANSITIVE,
        AttributeType.COMMUNITIES,
        Buffer.concat(a.communities.map(u32)),
      );
    case 'mp-reach': {
      const value = Buffer.concat([mpReachHead(a.afi, a.safi, a.nextHops), encodePrefixes(a.nlri, a.afi)]);
      return attributeTlv(OPTIONAL_NON_TRANSITIVE, AttributeType.MP_REACH_NLRI, value);
    }
    case 'mp-unreach': {
      const value = Buffer.concat([mpUnreachHead(a.afi, a.safi), encodePrefixes(a.withdrawn, a.afi)]);
      return attributeTlv(OPTIONAL_NON_TRANSITIVE, AttributeType.MP_UNREACH_NLRI, value);
    }
    case 'unknown':
      return attributeTlv(a.flags, a.typeCode, a.value);
  }
}

export function encodeAttributes(attributes: readonly PathAttribute[]): Buffer {
  return Buffer.concat(attributes.map(encodeAttribute));
}

function flagsText(flags: number): string {
  return `0x${flags.toString(16).padStart(2, '0')}`;
}

function checkFlags(v: ByteCursor, field: string, typeCode: number, flags: number): void {
  const expected = EXPECTED_FLAGS[typeCode];
  if (expected === undefined) return;
  // Only optional transitive attributes may be marked partial (RFC 4271 4.3).
  const mask = expected === OPTIONAL_TRANSITIVE ? 0xc0 : 0xe0;
  if ((flags & mask) !== expected) {
    v.fail(field, `flags ${flagsText(flags)} are wrong for this attribute (expected ${flagsText(expected)})`);
  }
}

function fixedLength(v: ByteCursor, field: string, length: number): void {
  if (v.remaining !== length) v.fail(field, `length ${v.remaining} is not ${length}`);
}

function decodeAsPath(v: ByteCursor, field: string): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (v.remaining > 0) {
    const type = v.u8('segment type');
    if (type !== AsPathSegmentType.AS_SET && type !== AsPathSegmentType.AS_SEQUENCE) {
      v.fail(field, `segment type ${type} is not AS_SET (1) or AS_SEQUENCE (2)`);
    }
    const count = v.u8('segment length');
    if (count === 0) v.fail(field, 'segment length 0');
    if (count * 4 > v.remaining)
      v.fail(field, `segment length ${count} runs past the attribute (${v.remaining} bytes left)`);
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(v.u32('ASN'));
    segments.push({ type: type === AsPathSegmentType.AS_SET ? 'set' : 'sequence', asns });
  }
  return segments;
}

/** IPv4 and IPv6 unicast are decoded; other families stay raw like any unknown attribute. */
function decodedFamily(afi: number, safi: number): 1 | 2 | undefined {
  return safi === Safi.UNICAST && addressBits(afi) !== undefined ? (afi as 1 | 2) : undefined;
}

/** AFI and SAFI of an MP attribute; a family we do not decode rewinds the cursor (the attribute is kept raw). */
function readFamily(v: ByteCursor): { afi: number; safi: number; family: 1 | 2 } | undefined {
  const start = v.pos;
  const afi = v.u16('AFI');
  const safi = v.u8('SAFI');
  const family = decodedFamily(afi, safi);
  if (family !== undefined) return { afi, safi, family };
  v.pos = start;
  return undefined;
}

function decodeValue(v: ByteCursor, field: string, flags: number, typeCode: number): PathAttribute {
  const raw = (): PathAttribute => ({
    kind: 'unknown',
    flags,
    typeCode,
    value: Buffer.from(v.bytes(v.remaining, 'value')),
  });
  switch (typeCode) {
    case AttributeType.ORIGIN: {
      fixedLength(v, field, 1);
      const value = v.u8('value');
      const origin = ORIGINS[value];
      if (origin === undefined) v.fail(field, `value ${value} is not IGP (0), EGP (1) or INCOMPLETE (2)`);
      return { kind: 'origin', origin };
    }
    case AttributeType.AS_PATH:
      return { kind: 'as-path', segments: decodeAsPath(v, field) };
    case AttributeType.NEXT_HOP:
      fixedLength(v, field, 4);
      return { kind: 'next-hop', address: addressText(v.bytes(4, 'address')) };
    case AttributeType.MULTI_EXIT_DISC:
      fixedLength(v, field, 4);
      return { kind: 'med', value: v.u32('value') };
    case AttributeType.LOCAL_PREF:
      fixedLength(v, field, 4);
      return { kind: 'local-pref', value: v.u32('value') };
    case AttributeType.COMMUNITIES: {
      if (v.remaining % 4 !== 0) v.fail(field, `length ${v.remaining} is not a multiple of 4`);
      const communities: number[] = [];
      while (v.remaining > 0) communities.push(v.u32('community'));
      return { kind: 'communities', communities };
    }
    case AttributeType.MP_REACH_NLRI: {
      const f = readFamily(v);
      if (!f) return raw();
      const { afi, safi, family } = f;
      const nhLength = v.u8('next hop length');
      const allowed = family === Afi.IPV6 ? [16, 32] : [4];
      if (!allowed.includes(nhLength))
        v.fail(field, `next hop length ${nhLength} is not ${allowed.join(' or ')}`);
      const nh = v.bytes(nhLength, 'next hop');
      const nextHops = family === Afi.IPV6 && nhLength === 32 ? [nh.subarray(0, 16), nh.subarray(16)] : [nh];
      v.u8('reserved');
      const nlri = decodePrefixes(v, family, field);
      return { kind: 'mp-reach', afi, safi, nextHops: nextHops.map(addressText), nlri };
    }
    case AttributeType.MP_UNREACH_NLRI: {
      const f = readFamily(v);
      if (!f) return raw();
      return { kind: 'mp-unreach', afi: f.afi, safi: f.safi, withdrawn: decodePrefixes(v, f.family, field) };
    }
    default:
      return raw();
  }
}

/** Reads the path attributes field (the cursor spans exactly it). */
export function decodeAttributes(attrs: ByteCursor): PathAttribute[] {
  const out: PathAttribute[] = [];
  const seen = new Set<number>();
  while (attrs.remaining > 0) {
    const at = attrs.pos;
    const flags = attrs.u8('path attribute flags');
    const typeCode = attrs.u8('path attribute type');
    const field = `path attribute ${ATTRIBUTE_NAMES[typeCode] ?? `type ${typeCode}`}`;
    const length =
      flags & AttributeFlag.EXTENDED_LENGTH ? attrs.u16(`${field} length`) : attrs.u8(`${field} length`);
    const v = attrs.child(length, { field, offset: at }, (left) => {
      return `length ${length} runs past the path attributes (${left} bytes left)`;
    });
    // RFC 4271 6.3: an attribute that appears twice makes the list malformed.
    if (seen.has(typeCode)) v.fail(field, 'appears more than once');
    seen.add(typeCode);
    checkFlags(v, field, typeCode, flags);
    out.push(decodeValue(v, field, flags, typeCode));
  }
  return out;
}
