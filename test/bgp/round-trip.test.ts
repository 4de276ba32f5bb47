import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import type { BgpMessage } from '../../lib/bgp/message-types.ts';
import { notificationReason } from '../../lib/bgp/notification-reason.ts';

const peer = '198.18.0.2';

const messages: Array<[string, BgpMessage]> = [
  [
    'OPEN with every capability and an unknown one',
    {
      type: 'OPEN',
      version: 4,
      asn: 4_200_000_001,
      holdTimeSeconds: 0,
      bgpId: '198.18.0.1',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'route-refresh' },
        { kind: 'four-octet-as', asn: 4_200_000_001 },
        {
          kind: 'graceful-restart',
          flags: 0x8,
          restartTimeSeconds: 120,
          families: [
            { afi: 1, safi: 1, flags: 0x80 },
            { afi: 2, safi: 1, flags: 0 },
          ],
        },
        { kind: 'graceful-restart', flags: 0, restartTimeSeconds: 4095, families: [] },
        { kind: 'extended-message' },
        { kind: 'unknown', code: 73, value: Buffer.from('host-a') },
      ],
    },
  ],
  [
    'OPEN without capabilities',
    { type: 'OPEN', version: 4, asn: 1, holdTimeSeconds: 3, bgpId: '1.2.3.4', capabilities: [] },
  ],
  ['KEEPALIVE', { type: 'KEEPALIVE' }],
  ['NOTIFICATION with data', { type: 'NOTIFICATION', code: 2, subcode: 2, data: Buffer.from([0xfd, 0xea]) }],
  ['ROUTE-REFRESH', { type: 'ROUTE_REFRESH', afi: 1, safi: 1 }],
  ['End-of-RIB IPv4', { type: 'END_OF_RIB', afi: 1, safi: 1 }],
  ['End-of-RIB IPv6', { type: 'END_OF_RIB', afi: 2, safi: 1 }],
  ['End-of-RIB of a family kept raw (L2VPN EVPN)', { type: 'END_OF_RIB', afi: 25, safi: 70 }],
  [
    'IPv4 UPDATE with every attribute, withdrawals and an unknown attribute',
    {
      type: 'UPDATE',
      withdrawn: ['192.0.2.0/24', '0.0.0.0/0', '198.51.100.128/25'],
      attributes: [
        { kind: 'origin', origin: 'incomplete' },
        {
          kind: 'as-path',
          segments: [
            { type: 'sequence', asns: [65001, 4_200_000_000, 1] },
            { type: 'set', asns: [64512, 64513] },
          ],
        },
        { kind: 'next-hop', address: '198.18.0.1' },
        { kind: 'med', value: 4_294_967_295 },
        { kind: 'local-pref', value: 100 },
        { kind: 'communities', communities: [65001 * 0x10000 + 100, 0xffffff01] },
        // AGGREGATOR (optional transitive, partial) and an extended-length attribute with a short value.
        { kind: 'unknown', flags: 0xe0, typeCode: 7, value: Buffer.from('0000fde90a000001', 'hex') },
        { kind: 'unknown', flags: 0xd0, typeCode: 99, value: Buffer.from([1, 2, 3]) },
      ],
      nlri: ['10.0.0.0/8', '10.1.2.3/32', '172.16.0.0/12', '203.0.113.0/24'],
    },
  ],
  [
    'IPv6 UPDATE with a global next hop',
    {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { kind: 'origin', origin: 'egp' },
        { kind: 'as-path', segments: [{ type: 'sequence', asns: [65002] }] },
        {
          kind: 'mp-reach',
          afi: 2,
          safi: 1,
          nextHops: ['2001:db8::1'],
          nlri: ['2001:db8:1::/48', '::/0', '2001:db8::1/128'],
        },
      ],
      nlri: [],
    },
  ],
  [
    'IPv6 UPDATE with global and link-local next hops, and IPv6 withdrawals',
    {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { kind: 'mp-unreach', afi: 2, safi: 1, withdrawn: ['2001:db8:ff::/64'] },
        { kind: 'origin', origin: 'igp' },
        { kind: 'as-path', segments: [{ type: 'sequence', asns: [65002] }] },
        {
          kind: 'mp-reach',
          afi: 2,
          safi: 1,
          nextHops: ['2001:db8::1', 'fe80::1'],
          nlri: ['2001:db8:2::/47'],
        },
      ],
      nlri: [],
    },
  ],
  ['UPDATE with only withdrawals', { type: 'UPDATE', withdrawn: ['10.0.0.0/24'], attributes: [], nlri: [] }],
  [
    'IPv4 UPDATE through MP_REACH_NLRI',
    {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { kind: 'origin', origin: 'igp' },
        { kind: 'as-path', segments: [] },
        { kind: 'mp-reach', afi: 1, safi: 1, nextHops: ['198.18.0.1'], nlri: ['10.0.0.0/24'] },
      ],
      nlri: [],
    },
  ],
];

describe('BGP message round trips', () => {
  it.each(messages)('%s', (_name, message) => {
    const bytes = encodeMessage(message);
    const decoded = decodeMessage(bytes, { peer });
    const expected =
      message.type === 'NOTIFICATION'
        ? { ...message, reason: notificationReason(message.code, message.subcode) }
        : message;
    expect(decoded).toEqual(expected);
    expect(encodeMessage(decoded)).toEqual(bytes);
  });

  it('uses the 2-byte length for attributes longer than 255 bytes', () => {
    const communities = Array.from({ length: 100 }, (_, i) => i);
    const message: BgpMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [{ kind: 'communities', communities }],
      nlri: [],
    };
    const bytes = encodeMessage(message);
    expect(bytes[23]).toBe(0xd0); // optional, transitive, extended length
    expect(bytes.readUInt16BE(25)).toBe(400);
    expect(decodeMessage(bytes, { peer })).toEqual(message);
  });

  it('refuses to encode what could not be decoded back the same', () => {
    const update = (nlri: string[]): BgpMessage => ({ type: 'UPDATE', withdrawn: [], attributes: [], nlri });
    expect(() => encodeMessage(update(['10.0.0.1/24']))).toThrow("prefix '10.0.0.1/24' has host bits set");
    expect(() => encodeMessage(update(['10.0.0.0/33']))).toThrow('expected an IPv4 prefix');
    const open = { type: 'OPEN', version: 4, holdTimeSeconds: 90, bgpId: '10.0.0.1' } as const;
    expect(() => encodeMessage({ ...open, asn: 70000, capabilities: [] })).toThrow(
      'needs the 4-byte AS capability',
    );
    const tooBig = update(Array.from({ length: 1100 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`));
    expect(() => encodeMessage(tooBig)).toThrow('message of 4423 bytes exceeds 4096');
    expect(encodeMessage(tooBig, { maxMessageLength: 65535 })).toHaveLength(4423);
  });
});

describe('NOTIFICATION reasons', () => {
  it.each([
    [6, 2, 'Cease / Administrative Shutdown'],
    [6, 4, 'Cease / Administrative Reset'],
    [6, 1, 'Cease / Maximum Number of Prefixes Reached'],
    [2, 2, 'OPEN Message Error / Bad Peer AS'],
    [2, 7, 'OPEN Message Error / Unsupported Capability'],
    [3, 11, 'UPDATE Message Error / Malformed AS_PATH'],
    [1, 2, 'Message Header Error / Bad Message Length'],
    [4, 0, 'Hold Timer Expired'],
    [5, 0, 'Finite State Machine Error'],
    [6, 0, 'Cease'],
    [6, 42, 'Cease / subcode 42'],
    [9, 1, 'error code 9 / subcode 1'],
  ])('%i/%i is "%s"', (code, subcode, reason) => {
    expect(notificationReason(code, subcode)).toBe(reason);
  });
});
