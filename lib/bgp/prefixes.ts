/** IP addresses and NLRI prefixes (RFC 4271 4.3, RFC 4760 5): text in memory, length + bytes on the wire. */
import ipaddr from 'ipaddr.js';
import { intToIpv4, ipv4ToInt } from '../bgpstress/ipv4.ts';
import type { ByteCursor } from './byte-cursor.ts';
import { Afi } from './wire-codes.ts';

/** Address width in bits of the AFIs whose prefixes this codec reads. */
export function addressBits(afi: number): 32 | 128 | undefined {
  if (afi === Afi.IPV4) return 32;
  if (afi === Afi.IPV6) return 128;
  return undefined;
}

export function ipv4Bytes(text: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipv4ToInt(text));
  return b;
}

export function ipv6Bytes(text: string): Buffer {
  if (!ipaddr.IPv6.isValid(text))
    throw new Error(`expected an IPv6 address like 2001:db8::1, found '${text}'`);
  return Buffer.from(ipaddr.IPv6.parse(text).toByteArray());
}

/** Text of a 4- or 16-byte address (IPv6 in its RFC 5952 short form). */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return intToIpv4(Buffer.from(bytes).readUInt32BE(0));
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

/**
 * An IPv4 prefix's wire form (length byte, significant bytes) written into `out` at `pos`; returns the
 * position after it. One pass over the text, no allocation: the generator encodes hundreds of thousands.
 */
export function writeIpv4Prefix(text: string, out: Buffer, pos: number): number {
  let value = 0;
  let octet = -1;
  let dots = 0;
  let length = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (length >= 0) {
      // After the slash: one or two digits.
      if (!digit || length > 3) throw badIpv4Prefix(text);
      length = length * 10 + (c - 48);
    } else if (digit) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) throw badIpv4Prefix(text);
    } else if ((c === 46 || c === 47) && octet >= 0) {
      value = value * 256 + octet;
      octet = -1;
      if (c === 47) {
        if (dots !== 3 || i === text.length - 1) throw badIpv4Prefix(text);
        length = 0;
      } else if (++dots > 3) throw badIpv4Prefix(text);
    } else throw badIpv4Prefix(text);
  }
  if (length < 0 || length > 32) throw badIpv4Prefix(text);
  const used = (length + 7) >> 3;
  const hostMask = length === 0 ? 0xffffffff : length === 32 ? 0 : 0xffffffff >>> length;
  if ((value & hostMask) >>> 0 !== 0) throw new Error(`prefix '${text}' has host bits set`);
  out[pos] = length;
  for (let b = 0; b < used; b++) out[pos + 1 + b] = (value >>> (24 - 8 * b)) & 0xff;
  return pos + 1 + used;
}

function badIpv4Prefix(text: string): Error {
  return new Error(`expected an IPv4 prefix like 10.0.0.0/24, found '${text}'`);
}

/** Length byte then the significant bytes; a prefix with host bits set is refused (it would not round-trip). */
export function encodePrefix(text: string, afi: number): Buffer {
  if (afi === Afi.IPV4) {
    const out = Buffer.alloc(5);
    return out.subarray(0, writeIpv4Prefix(text, out, 0));
  }
  const bits = addressBits(afi);
  const slash = text.lastIndexOf('/');
  const length = Number(text.slice(slash + 1));
  if (bits === undefined || slash < 0 || !Number.isInteger(length) || length < 0 || length > bits) {
    throw new Error(`expected an ${bits === 128 ? 'IPv6' : 'IPv4'} prefix like 10.0.0.0/24, found '${text}'`);
  }
  const address = bits === 32 ? ipv4Bytes(text.slice(0, slash)) : ipv6Bytes(text.slice(0, slash));
  const used = Math.ceil(length / 8);
  const out = Buffer.alloc(1 + used);
  out[0] = length;
  address.copy(out, 1, 0, used);
  const spare = used * 8 - length;
  const lastByteHostBits = used > 0 ? (out[used] as number) & ((1 << spare) - 1) : 0;
  if (lastByteHostBits !== 0 || address.subarray(used).some((b) => b !== 0)) {
    throw new Error(`prefix '${text}' has host bits set`);
  }
  return out;
}

export function encodePrefixes(texts: readonly string[], afi: number): Buffer {
  return Buffer.concat(texts.map((t) => encodePrefix(t, afi)));
}

/** Reads prefixes until the cursor's end; `field` names the list in errors. */
export function decodePrefixes(cursor: ByteCursor, afi: 1 | 2, field: string): string[] {
  const bits = afi === Afi.IPV4 ? 32 : 128;
  const out: string[] = [];
  while (cursor.remaining > 0) {
    const at = cursor.pos;
    const length = cursor.u8(field);
    if (length > bits) cursor.fail(field, `prefix length ${length} exceeds ${bits}`, at);
    const used = Math.ceil(length / 8);
    if (used > cursor.remaining) {
      cursor.fail(field, `prefix /${length} needs ${used} bytes, ${cursor.remaining} left`, at);
    }
    const address = Buffer.alloc(bits / 8);
    cursor.bytes(used, field).copy(address);
    // Bits past the prefix length carry no meaning (RFC 4271 4.3); clear them so equal prefixes compare equal.
    const spare = used * 8 - length;
    if (spare > 0) address[used - 1] = (address[used - 1] as number) & (0xff << spare);
    out.push(`${addressText(address)}/${length}`);
  }
  return out;
}
