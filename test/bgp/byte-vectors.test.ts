import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import type { BgpMessage } from '../../lib/bgp/message-types.ts';

/** Hex written field by field; whitespace is ignored. */
const hex = (...fields: string[]) => Buffer.from(fields.join('').replace(/\s+/g, ''), 'hex');
const MARKER = 'ff'.repeat(16);
const peer = '198.18.0.2';

// Each vector is written from the RFC's field layout, not from the encoder.
const vectors: Array<[string, BgpMessage, Buffer]> = [
  [
    'OPEN, AS 65001, hold 90, id 10.0.0.1, multiprotocol IPv4 unicast (RFC 4271 4.2, RFC 5492, RFC 4760 8)',
    {
      type: 'OPEN',
      version: 4,
      asn: 65001,
      holdTimeSeconds: 90,
      bgpId: '10.0.0.1',
      capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }],
    },
    hex(
      MARKER,
      '0025', // length 37 = 19 header + 10 fixed + 8 optional parameters
      '01', // type OPEN
      '04', // version 4
      'fde9', // my AS 65001
      '005a', // hold time 90
      '0a000001', // BGP identifier 10.0.0.1
      '08', // optional parameters length
      '02 06', // parameter type 2 (capabilities), length 6
      '01 04', // capability 1 (multiprotocol), length 4
      '0001 00 01', // AFI 1 (IPv4), reserved, SAFI 1 (unicast)
    ),
  ],
  [
    'OPEN, AS 4200000000: AS_TRANS in my AS, the AS in the 4-byte AS capability (RFC 6793 4.1)',
    {
      type: 'OPEN',
      version: 4,
      asn: 4_200_000_000,
      holdTimeSeconds: 180,
      bgpId: '198.18.0.1',
      capabilities: [{ kind: 'four-octet-as', asn: 4_200_000_000 }],
    },
    hex(
      MARKER,
      '0025', // length 37
      '01', // OPEN
      '04', // version
      '5ba0', // my AS 23456 (AS_TRANS)
      '00b4', // hold time 180
      'c6120001', // 198.18.0.1
      '08', // optional parameters length
      '02 06', // capabilities parameter, length 6
      '41 04', // capability 65 (4-byte AS), length 4
      'fa56ea00', // 4200000000
    ),
  ],
  ['KEEPALIVE (RFC 4271 4.4)', { type: 'KEEPALIVE' }, hex(MARKER, '0013', '04')],
  [
    'NOTIFICATION Cease / Administrative Shutdown (RFC 4271 4.5, RFC 4486)',
    { type: 'NOTIFICATION', code: 6, subcode: 2, data: Buffer.alloc(0) },
    hex(MARKER, '0015', '03', '06', '02'), // length 21, type, code 6, subcode 2
  ],
  [
    'UPDATE: ORIGIN IGP, AS_PATH 65001, NEXT_HOP 198.18.0.1, NLRI 10.0.0.0/24 (RFC 4271 4.3, 4-byte AS_PATH)',
    {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { kind: 'origin', origin: 'igp' },
        { kind: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] },
        { kind: 'next-hop', address: '198.18.0.1' },
      ],
      nlri: ['10.0.0.0/24'],
    },
    hex(
      MARKER,
      '002f', // length 47
      '02', // UPDATE
      '0000', // withdrawn routes length
      '0014', // path attributes length 20
      '40 01 01 00', // well-known ORIGIN, length 1, IGP
      '40 02 06 02 01 0000fde9', // well-known AS_PATH, length 6: AS_SEQUENCE of 1, AS 65001
      '40 03 04 c6120001', // well-known NEXT_HOP, length 4, 198.18.0.1
      '18 0a0000', // /24, 10.0.0
    ),
  ],
  [
    'End-of-RIB for IPv4 unicast: an empty UPDATE (RFC 4724 2)',
    { type: 'END_OF_RIB', afi: 1, safi: 1 },
    hex(MARKER, '0017', '02', '0000', '0000'),
  ],
  [
    'End-of-RIB for IPv6 unicast: MP_UNREACH_NLRI with no prefixes (RFC 4724 2)',
    { type: 'END_OF_RIB', afi: 2, safi: 1 },
    hex(
      MARKER,
      '001d', // length 29
      '02', // UPDATE
      '0000', // withdrawn routes length
      '0006', // path attributes length
      '80 0f 03', // optional non-transitive MP_UNREACH_NLRI, length 3
      '0002 01', // AFI 2, SAFI 1
    ),
  ],
  [
    'ROUTE-REFRESH for IPv6 unicast (RFC 2918 3)',
    { type: 'ROUTE_REFRESH', afi: 2, safi: 1 },
    hex(MARKER, '0017', '05', '0002', '00', '01'), // AFI 2, reserved, SAFI 1
  ],
];

describe('BGP messages byte for byte', () => {
  it.each(vectors)('%s', (_name, message, bytes) => {
    expect(encodeMessage(message).toString('hex')).toBe(bytes.toString('hex'));
    const decoded = decodeMessage(bytes, { peer });
    expect(decoded).toMatchObject(message);
  });

  it('gives a NOTIFICATION its readable reason', () => {
    expect(decodeMessage(hex(MARKER, '0015', '03', '06', '02'), { peer })).toEqual({
      type: 'NOTIFICATION',
      code: 6,
      subcode: 2,
      data: Buffer.alloc(0),
      reason: 'Cease / Administrative Shutdown',
    });
  });
});
