/** IPv4 addresses as unsigned 32-bit numbers: the arithmetic every address plan here needs. */

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(text: string): boolean {
  const m = DOTTED.exec(text);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** Parses a dotted quad; throws naming `what` when it is not one. */
export function ipv4ToInt(text: string, what = 'address'): number {
  const m = DOTTED.exec(text);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new Error(`${what}: expected an IPv4 address like 10.1.2.3, found '${text}'`);
  }
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

export function intToIpv4(value: number): string {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Last octet of a dotted quad (the legacy harness names things after it). */
export function lastOctet(text: string, what = 'address'): number {
  return ipv4ToInt(text, what) & 255;
}

export interface Ipv4Prefix {
  address: number;
  length: number;
}

/** "10.1.0.1/32" or a bare address (taken as /32). */
export function parseIpv4Prefix(text: string, what = 'prefix'): Ipv4Prefix {
  const [addr = '', len, extra] = text.split('/');
  const length = len === undefined ? 32 : Number(len);
  if (extra !== undefined || !Number.isInteger(length) || length < 1 || length > 32 || !isIpv4(addr)) {
    throw new Error(`${what}: expected an IPv4 prefix like 10.1.0.1/32, found '${text}'`);
  }
  return { address: ipv4ToInt(addr, what), length };
}

/** The n-th prefix after `p` of the same length (task_util::Ip4PrefixIncrement). */
export function incrementPrefix(p: Ipv4Prefix, n: number): Ipv4Prefix {
  return { address: (p.address + n * 2 ** (32 - p.length)) >>> 0, length: p.length };
}

export function formatPrefix(p: Ipv4Prefix): string {
  return `${intToIpv4(p.address)}/${p.length}`;
}
