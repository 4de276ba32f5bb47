/** The path attributes a generator peer puts on its routes, from a few knobs a scenario sets. */
import type { PathAttribute } from '../bgp/message-types.ts';
import type { Announcements } from '../bgp/update-packing.ts';
import type { Family } from './address-range.ts';
import { AFI_OF } from './speaker-open.ts';

export interface RouteAttributes {
  /** How many times the peer's own AS appears in AS_PATH (1: just the origin AS; more: prepended). */
  asPathLength: number;
  /** RFC 1997 communities as "AS:value", e.g. "65000:100". */
  communities: readonly string[];
  /** Next hop; the peer's own address when left out (IPv6 routes from an IPv4 peer: ::ffff:<address>). */
  nextHop?: string;
  /** MULTI_EXIT_DISC, when set. */
  med?: number;
}

export function parseCommunity(text: string): number {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  const high = Number(m?.[1]);
  const low = Number(m?.[2]);
  if (!m || high > 0xffff || low > 0xffff) {
    throw new Error(
      `community: expected "AS:value" with both parts 0..65535, like 65000:100, found '${text}'`,
    );
  }
  return high * 0x10000 + low;
}

export function defaultNextHop(family: Family, peerAddress: string): string {
  if (family === 'ipv6' && !peerAddress.includes(':')) return `::ffff:${peerAddress}`;
  return peerAddress;
}

/** One peer's announcement batch: shared attributes for all its prefixes of one family. */
export function announcementsFor(
  family: Family,
  prefixes: readonly string[],
  asn: number,
  peerAddress: string,
  a: RouteAttributes,
): Announcements {
  if (!Number.isInteger(a.asPathLength) || a.asPathLength < 1 || a.asPathLength > 255) {
    throw new Error(`asPathLength: expected 1..255, found ${a.asPathLength}`);
  }
  const nextHop = a.nextHop ?? defaultNextHop(family, peerAddress);
  const attributes: PathAttribute[] = [
    { kind: 'origin', origin: 'igp' },
    { kind: 'as-path', segments: [{ type: 'sequence', asns: new Array<number>(a.asPathLength).fill(asn) }] },
  ];
  if (family === 'ipv4') attributes.push({ kind: 'next-hop', address: nextHop });
  if (a.med !== undefined) attributes.push({ kind: 'med', value: a.med });
  if (a.communities.length > 0)
    attributes.push({ kind: 'communities', communities: a.communities.map(parseCommunity) });
  return {
    afi: AFI_OF[family],
    prefixes,
    attributes,
    ...(family === 'ipv6' ? { ipv6NextHops: [nextHop] } : {}),
  };
}
