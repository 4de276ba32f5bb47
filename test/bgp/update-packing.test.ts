import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import type { PathAttribute } from '../../lib/bgp/message-types.ts';
import { packAnnouncements, packWithdrawals } from '../../lib/bgp/update-packing.ts';

const peer = 'packer';

const ipv4Attributes: PathAttribute[] = [
  { kind: 'origin', origin: 'igp' }, // 4 bytes on the wire
  { kind: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] }, // 9
  { kind: 'next-hop', address: '198.18.0.1' }, // 7
];

/** n distinct prefixes of one length from 10.0.0.0 on. */
function ipv4Prefixes(n: number, length: 24 | 32): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = length === 24 ? i << 8 : i;
    return `${10 + (a >>> 24)}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${length}`;
  });
}

/** Everything each packed UPDATE announces and withdraws, in order, over both address families. */
function unpack(messages: Buffer[], maxLength: number) {
  const announced: string[] = [];
  const withdrawn: string[] = [];
  for (const m of messages) {
    expect(m.length).toBeLessThanOrEqual(maxLength);
    const u = decodeMessage(m, { peer, extendedMessages: maxLength > 4096 });
    if (u.type !== 'UPDATE') throw new Error(`expected an UPDATE, got ${u.type}`);
    announced.push(...u.nlri);
    withdrawn.push(...u.withdrawn);
    for (const a of u.attributes) {
      if (a.kind === 'mp-reach') announced.push(...a.nlri);
      if (a.kind === 'mp-unreach') withdrawn.push(...a.withdrawn);
    }
  }
  return { announced, withdrawn };
}

describe('UPDATE packing', () => {
  // 4096 - 19 header - 2 withdrawn length - 2 attributes length - 20 attributes = 4053 bytes of NLRI.
  it.each([
    [24, 1013, 4095], // 4 bytes per /24: 1013 x 4 = 4052
    [32, 810, 4093], // 5 bytes per /32: 810 x 5 = 4050
  ] as const)('fits %i-bit IPv4 prefixes %i to a 4096-byte UPDATE', (length, perMessage, fullSize) => {
    const prefixes = ipv4Prefixes(10_000, length);
    const messages = packAnnouncements({ afi: 1, prefixes, attributes: ipv4Attributes });
    expect(messages).toHaveLength(Math.ceil(10_000 / perMessage));
    expect(messages[0]).toHaveLength(fullSize);
    const first = decodeMessage(messages[0] as Buffer, { peer });
    expect(first).toMatchObject({ type: 'UPDATE', attributes: ipv4Attributes });
    expect(first.type === 'UPDATE' && first.nlri.length).toBe(perMessage);
    expect(unpack(messages, 4096).announced).toEqual(prefixes);
  });

  it('fits 16,373 /24 to a 65535-byte UPDATE with extended messages', () => {
    const prefixes = ipv4Prefixes(100_000, 24);
    const messages = packAnnouncements(
      { afi: 1, prefixes, attributes: ipv4Attributes },
      { maxMessageLength: 65535 },
    );
    // (65535 - 23 - 20) / 4 = 16373.
    expect(messages).toHaveLength(Math.ceil(100_000 / 16_373));
    expect(unpack(messages, 65535).announced).toEqual(prefixes);
  });

  it('packs IPv6 prefixes into MP_REACH_NLRI with a global and a link-local next hop', () => {
    const prefixes = Array.from({ length: 5000 }, (_, i) => `2001:db8:${(i + 1).toString(16)}::/48`);
    const attributes: PathAttribute[] = ipv4Attributes.slice(0, 2);
    const messages = packAnnouncements({
      afi: 2,
      prefixes,
      attributes,
      ipv6NextHops: ['2001:db8::1', 'fe80::1'],
    });
    // 4096 - 23 - 13 shared - 4 attribute header - 37 (AFI, SAFI, length, 32-byte next hop, reserved) = 4019;
    // a /48 takes 7 bytes: 574 per UPDATE.
    expect(messages).toHaveLength(Math.ceil(5000 / 574));
    const first = decodeMessage(messages[0] as Buffer, { peer });
    expect(first.type === 'UPDATE' && first.attributes[2]).toMatchObject({
      kind: 'mp-reach',
      nextHops: ['2001:db8::1', 'fe80::1'],
    });
    expect(unpack(messages, 4096).announced).toEqual(prefixes);
  });

  it('packs withdrawals of both families', () => {
    const v4 = ipv4Prefixes(5000, 24);
    const v4Messages = packWithdrawals(1, v4);
    expect(v4Messages).toHaveLength(Math.ceil(5000 / 1018)); // (4096 - 23) / 4
    expect(unpack(v4Messages, 4096).withdrawn).toEqual(v4);

    const v6 = Array.from({ length: 3000 }, (_, i) => `2001:db8:${(i + 1).toString(16)}::/48`);
    const v6Messages = packWithdrawals(2, v6);
    expect(v6Messages).toHaveLength(Math.ceil(3000 / 580)); // (4096 - 23 - 4 - 3) / 7
    expect(unpack(v6Messages, 4096).withdrawn).toEqual(v6);
  });

  it('puts prefixes of mixed lengths in each exactly once', () => {
    const prefixes = [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '172.16.0.0/12',
      ...ipv4Prefixes(3000, 32),
      ...ipv4Prefixes(2000, 24),
    ];
    const messages = packAnnouncements({ afi: 1, prefixes, attributes: ipv4Attributes });
    // 1 + 2 + 3 + 3000 x 5 + 2000 x 4 = 23006 bytes at 4053 per UPDATE: at least 6.
    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(messages.length).toBeLessThanOrEqual(7);
    expect(unpack(messages, 4096).announced).toEqual(prefixes);
  });

  it('packs nothing for no prefixes', () => {
    expect(packAnnouncements({ afi: 1, prefixes: [], attributes: ipv4Attributes })).toEqual([]);
    expect(packWithdrawals(2, [])).toEqual([]);
  });
});
