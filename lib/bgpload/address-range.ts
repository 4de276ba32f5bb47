/** Address arithmetic for load plans: the n-th address or prefix after a base, for IPv4 and IPv6. */
import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';

export function familyOf(address: string, what = 'address'): Family {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 'ipv4';
  if (ipaddr.IPv6.isValid(address)) return 'ipv6';
  throw new Error(`${what}: expected an IPv4 or IPv6 address, found '${address}'`);
}

function toBigInt(address: string): bigint {
  return ipaddr
    .parse(address)
    .toByteArray()
    .reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function fromBigInt(value: bigint, family: Family): string {
  const length = family === 'ipv4' ? 4 : 16;
  const bytes: number[] = new Array<number>(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  // RFC 5952 text for IPv6, as the codec's decoder prints it, so plan and received prefixes compare equal.
  return ipaddr.fromByteArray(bytes).toString();
}

function bitsOf(family: Family): number {
  return family === 'ipv4' ? 32 : 128;
}

/** `base + n`, failing when it leaves the address space. */
export function nthAddress(base: string, n: number, what = 'address'): string {
  const family = familyOf(base, what);
  const v = toBigInt(base) + BigInt(n);
  if (v >= 1n << BigInt(bitsOf(family)))
    throw new Error(`${what}: ${base} + ${n} leaves the ${family} space`);
  return fromBigInt(v, family);
}

/**
 * `count` consecutive prefixes of `length` bits, the first being the block of `base` offset by
 * `first` prefixes. Host bits of `base` below `length` must be zero (a typo would otherwise shift the plan).
 */
export function consecutivePrefixes(base: string, length: number, first: number, count: number): string[] {
  const family = familyOf(base, 'prefix base');
  const bits = bitsOf(family);
  if (!Number.isInteger(length) || length < 1 || length > bits) {
    throw new Error(`prefix length: expected 1..${bits} for ${family}, found ${length}`);
  }
  const step = 1n << BigInt(bits - length);
  const start = toBigInt(base);
  if (start % step !== 0n) throw new Error(`prefix base ${base} has bits set below /${length}`);
  const end = start + step * BigInt(first + count);
  if (end > 1n << BigInt(bits)) {
    throw new Error(`${first + count} /${length} prefixes from ${base} do not fit the ${family} space`);
  }
  const out = new Array<string>(count);
  if (family === 'ipv4') {
    // Plain numbers are exact below 2^32 and much faster than BigInt for the common case.
    const s = Number(start) + Number(step) * first;
    const st = Number(step);
    for (let i = 0; i < count; i++) {
      const v = s + st * i;
      out[i] = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${length}`;
    }
    return out;
  }
  for (let i = 0; i < count; i++) {
    out[i] = `${fromBigInt(start + step * BigInt(first + i), family)}/${length}`;
  }
  return out;
}
