/**
 * IPv4 arithmetic as bgp_stress_test does it: addresses are unsigned 32-bit
 * numbers, and a prefix is stepped by whole prefixes (task_util's
 * Ip4PrefixIncrement adds n << (32 - length)).
 */

export interface Ipv4Prefix {
  /** Unsigned 32-bit network address. */
  address: number;
  length: number;
}

const OCTET = /^\d{1,3}$/;

/** Parses a dotted quad; throws naming the option `what` when it is not one. */
export function parseIpv4(text: string, what: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) {
    throw new Error(`${what}: expected an IPv4 address like 10.1.2.3, found '${text}'`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  const v = value >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/**
 * A prefix the way the tool's Ip4SubnetParse reads it: missing trailing
 * octets are zero ("10.1/16" is 10.1.0.0/16) and host bits are cleared
 * ("10.1.2.3/24" starts at 10.1.2.0). A bare address (which the tool cannot
 * parse) is taken as /32, and /0 is refused: the tool would step such a
 * prefix by a shift of 32 bits.
 */
export function parseIpv4Prefix(text: string, what: string): Ipv4Prefix {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const lengthText = slash < 0 ? '32' : text.slice(slash + 1);
  const length = /^\d{1,2}$/.test(lengthText) ? Number(lengthText) : NaN;
  const octets = addressText.split('.');
  const valid =
    length >= 1 &&
    length <= 32 &&
    octets.length <= 4 &&
    octets.every((o) => OCTET.test(o) && Number(o) <= 255);
  if (!valid) throw new Error(`${what}: expected an IPv4 prefix like 10.1.0.1/32, found '${text}'`);
  while (octets.length < 4) octets.push('0');
  const address = parseIpv4(octets.join('.'), what);
  const blockSize = 2 ** (32 - length);
  return { address: address - (address % blockSize), length };
}

/** The prefix `n` whole prefixes after `p` (wraps at 2^32, as the tool's unsigned arithmetic). */
export function stepPrefix(p: Ipv4Prefix, n: number): Ipv4Prefix {
  return { address: (p.address + n * 2 ** (32 - p.length)) % 2 ** 32, length: p.length };
}

export function formatPrefix(p: Ipv4Prefix): string {
  return `${formatIpv4(p.address)}/${p.length}`;
}
