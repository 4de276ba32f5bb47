import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { BgpDecodeError } from '../../lib/bgp/decode-error.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import type { BgpMessage } from '../../lib/bgp/message-types.ts';

const peer = '198.18.0.2';
const MARKER = 'ff'.repeat(16);

/** A message of `type` around `body` (hex), with the length field right unless `length` says otherwise. */
function message(type: number, body: string, length?: number): Buffer {
  const b = Buffer.from(body.replace(/\s+/g, ''), 'hex');
  const header = Buffer.from(MARKER + '0000' + type.toString(16).padStart(2, '0'), 'hex');
  header.writeUInt16BE(length ?? 19 + b.length, 16);
  return Buffer.concat([header, b]);
}

/** An UPDATE with no withdrawals, the given path attributes and NLRI (hex). */
function update(attributes: string, nlri = ''): Buffer {
  const a = attributes.replace(/\s+/g, '');
  return message(2, '0000' + (a.length / 2).toString(16).padStart(4, '0') + a + nlri);
}

/** An OPEN, AS 65001, hold 90, id 10.0.0.1, with the given optional parameters (hex). */
function open(params: string, fixed = '04 fde9 005a 0a000001'): Buffer {
  const p = params.replace(/\s+/g, '');
  return message(1, fixed + (p.length / 2).toString(16).padStart(2, '0') + p);
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fde9';
const NEXT_HOP = '40 03 04 c6120001';

const cases: Array<[string, Buffer, string]> = [
  // Header
  [
    'a marker byte that is not 0xff',
    Buffer.from(MARKER.slice(0, 6) + '00' + MARKER.slice(8) + '001304', 'hex'),
    'header: marker at offset 3: byte 3 is 0x00, not 0xff',
  ],
  [
    'fewer bytes than a header',
    Buffer.from(MARKER + '00', 'hex'),
    'header: header at offset 0: needs 19 bytes, 17 given',
  ],
  [
    'an unknown message type',
    message(7, ''),
    'header: type at offset 18: 7 is not a known message type (1..5)',
  ],
  ['a length below 19', message(4, '', 18), 'KEEPALIVE: length at offset 16: 18 is outside 19..4096'],
  ['a length above 4096', message(2, '', 4097), 'UPDATE: length at offset 16: 4097 is outside 19..4096'],
  ['a KEEPALIVE with a body', message(4, '00'), 'KEEPALIVE: length at offset 16: 20 is not 19'],
  [
    'an OPEN shorter than its fixed part',
    message(1, '04 fde9 005a 0a0000'),
    'OPEN: length at offset 16: 27 is less than 29, the least for OPEN',
  ],
  [
    'a NOTIFICATION without a subcode',
    message(3, '06'),
    'NOTIFICATION: length at offset 16: 20 is less than 21, the least for NOTIFICATION',
  ],
  [
    'a length field that disagrees with the bytes given',
    message(2, '0000 0000', 24),
    'UPDATE: length at offset 16: 24 but 23 bytes given',
  ],
  // OPEN
  ['version 3', open('', '03 fde9 005a 0a000001'), 'OPEN: version at offset 19: 3 is not 4'],
  [
    'a hold time of 2 s',
    open('', '04 fde9 0002 0a000001'),
    'OPEN: hold time at offset 22: 2 is neither 0 nor at least 3',
  ],
  [
    'BGP identifier 0.0.0.0',
    open('', '04 fde9 005a 00000000'),
    'OPEN: BGP identifier at offset 24: 0.0.0.0 is not a valid identifier',
  ],
  [
    'optional parameters running past the message',
    message(1, '04 fde9 005a 0a000001 0a 0206 0104 00010001'),
    'OPEN: optional parameters length at offset 28: 10 runs past the message (8 bytes left)',
  ],
  [
    'bytes after the optional parameters',
    message(1, '04 fde9 005a 0a000001 00 02'),
    'OPEN: optional parameters length at offset 28: 0 leaves 1 bytes unread',
  ],
  [
    'an optional parameter running past the parameters',
    open('02 09 01 04 00010001'),
    'OPEN: optional parameter length at offset 30: 9 runs past the message (6 bytes left)',
  ],
  [
    'an optional parameter that is not capabilities',
    open('01 02 0000'),
    'OPEN: optional parameter type at offset 29: 1 is not supported (only capabilities, 2)',
  ],
  [
    'a capability running past its parameter',
    open('02 06 01 06 00010001'),
    'OPEN: capability multiprotocol at offset 31: length 6 runs past the optional parameter (4 bytes left)',
  ],
  [
    'a multiprotocol capability of 3 bytes',
    open('02 05 01 03 000100'),
    'OPEN: capability multiprotocol at offset 31: length 3 is not 4',
  ],
  [
    'a 4-byte AS capability of 2 bytes',
    open('02 04 41 02 fde9'),
    'OPEN: capability 4-byte AS at offset 31: length 2 is not 4',
  ],
  [
    'a route refresh capability with a value',
    open('02 03 02 01 00'),
    'OPEN: capability route refresh at offset 31: length 1 is not 0',
  ],
  [
    'a graceful restart capability of 4 bytes',
    open('02 06 40 04 0078 0001'),
    'OPEN: capability graceful restart at offset 31: length 4 is not 2 + 4 per family',
  ],
  // UPDATE lengths and prefixes
  [
    'withdrawn routes running past the message',
    message(2, '0009 0000'),
    'UPDATE: withdrawn routes length at offset 19: 9 runs past the message (2 bytes left)',
  ],
  [
    'a withdrawn prefix longer than 32 bits',
    message(2, '0005 21 0a000000 0000'),
    'UPDATE: withdrawn routes at offset 21: prefix length 33 exceeds 32',
  ],
  [
    'path attributes running past the message',
    message(2, '0000 0010 400101'),
    'UPDATE: path attributes length at offset 21: 16 runs past the message (3 bytes left)',
  ],
  [
    'a truncated NLRI prefix',
    update(ORIGIN + AS_PATH + NEXT_HOP, '18 0a00'),
    'UPDATE: NLRI at offset 43: prefix /24 needs 3 bytes, 2 left',
  ],
  [
    'an NLRI prefix longer than 32 bits',
    update(ORIGIN + AS_PATH + NEXT_HOP, '28 0a000000 00'),
    'UPDATE: NLRI at offset 43: prefix length 40 exceeds 32',
  ],
  // Path attributes
  [
    'an attribute running past the path attributes',
    update('40 01 05 00'),
    'UPDATE: path attribute ORIGIN at offset 23: length 5 runs past the path attributes (1 bytes left)',
  ],
  [
    'an attribute header cut short',
    update('40'),
    'UPDATE: path attribute type at offset 24: needs 1 byte, 0 left',
  ],
  [
    'ORIGIN marked optional',
    update('80 01 01 00'),
    'UPDATE: path attribute ORIGIN at offset 23: flags 0x80 are wrong for this attribute (expected 0x40)',
  ],
  [
    'ORIGIN marked partial',
    update('60 01 01 00'),
    'UPDATE: path attribute ORIGIN at offset 23: flags 0x60 are wrong for this attribute (expected 0x40)',
  ],
  [
    'MULTI_EXIT_DISC marked well-known',
    update('40 04 04 00000000'),
    'UPDATE: path attribute MULTI_EXIT_DISC at offset 23: flags 0x40 are wrong for this attribute (expected 0x80)',
  ],
  [
    'COMMUNITIES marked non-transitive',
    update('80 08 04 fde90064'),
    'UPDATE: path attribute COMMUNITIES at offset 23: flags 0x80 are wrong for this attribute (expected 0xc0)',
  ],
  [
    'ORIGIN 3',
    update('40 01 01 03'),
    'UPDATE: path attribute ORIGIN at offset 23: value 3 is not IGP (0), EGP (1) or INCOMPLETE (2)',
  ],
  [
    'ORIGIN of 2 bytes',
    update('40 01 02 0000'),
    'UPDATE: path attribute ORIGIN at offset 23: length 2 is not 1',
  ],
  [
    'an AS_PATH segment longer than the attribute',
    update(ORIGIN + '40 02 06 02 09 0000fde9'),
    'UPDATE: path attribute AS_PATH at offset 27: segment length 9 runs past the attribute (4 bytes left)',
  ],
  [
    'an AS_PATH segment of type 3',
    update('40 02 06 03 01 0000fde9'),
    'UPDATE: path attribute AS_PATH at offset 23: segment type 3 is not AS_SET (1) or AS_SEQUENCE (2)',
  ],
  [
    'an empty AS_PATH segment',
    update('40 02 02 02 00'),
    'UPDATE: path attribute AS_PATH at offset 23: segment length 0',
  ],
  [
    'an AS_PATH segment header cut short',
    update('40 02 01 02'),
    'UPDATE: path attribute AS_PATH at offset 23: segment length needs 1 byte, 0 left',
  ],
  [
    'NEXT_HOP of 5 bytes',
    update('40 03 05 c612000100'),
    'UPDATE: path attribute NEXT_HOP at offset 23: length 5 is not 4',
  ],
  [
    'LOCAL_PREF of 2 bytes',
    update('40 05 02 0064'),
    'UPDATE: path attribute LOCAL_PREF at offset 23: length 2 is not 4',
  ],
  [
    'COMMUNITIES of 6 bytes',
    update('c0 08 06 fde90064 0001'),
    'UPDATE: path attribute COMMUNITIES at offset 23: length 6 is not a multiple of 4',
  ],
  [
    'an attribute given twice',
    update(ORIGIN + ORIGIN),
    'UPDATE: path attribute ORIGIN at offset 27: appears more than once',
  ],
  [
    'an MP_REACH_NLRI too short for its AFI',
    update('80 0e 01 00'),
    'UPDATE: path attribute MP_REACH_NLRI at offset 23: AFI needs 2 bytes, 1 left',
  ],
  [
    'an IPv6 next hop of 20 bytes',
    update('80 0e 19 0002 01 14' + '20010db8'.repeat(5) + '00'),
    'UPDATE: path attribute MP_REACH_NLRI at offset 23: next hop length 20 is not 16 or 32',
  ],
  [
    'an IPv6 prefix longer than 128 bits',
    update(ORIGIN + AS_PATH + '80 0e 17 0002 01 10 20010db8000000000000000000000001 00 81 00'),
    'UPDATE: path attribute MP_REACH_NLRI at offset 36: prefix length 129 exceeds 128',
  ],
  [
    'a truncated IPv6 withdrawal',
    update('80 0f 06 0002 01 30 2001'),
    'UPDATE: path attribute MP_UNREACH_NLRI at offset 23: prefix /48 needs 6 bytes, 2 left',
  ],
  [
    'NLRI without NEXT_HOP',
    update(ORIGIN + AS_PATH, '18 0a0000'),
    'UPDATE: path attributes at offset 21: NEXT_HOP is missing',
  ],
  [
    'IPv6 NLRI without AS_PATH',
    update(ORIGIN + '80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8'),
    'UPDATE: path attributes at offset 21: AS_PATH is missing',
  ],
  // ROUTE-REFRESH
  [
    'a ROUTE-REFRESH of 24 bytes',
    message(5, '0001 00 01 00'),
    'ROUTE-REFRESH: length at offset 16: 24 is not 23',
  ],
];

describe('strict decoding', () => {
  it.each(cases)('rejects %s', (_name, bytes, expected) => {
    let thrown: unknown;
    try {
      decodeMessage(bytes, { peer });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BgpDecodeError);
    expect((thrown as BgpDecodeError).message).toBe(`peer ${peer}: ${expected}`);
  });

  it('accepts messages up to 65535 bytes only once extended messages were negotiated', () => {
    const nlri = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const big: BgpMessage = { type: 'UPDATE', withdrawn: nlri, attributes: [], nlri: [] };
    const bytes = encodeMessage(big, { maxMessageLength: 65535 });
    expect(decodeMessage(bytes, { peer, extendedMessages: true })).toEqual(big);
    expect(() => decodeMessage(bytes, { peer })).toThrow(
      `peer ${peer}: UPDATE: length at offset 16: 20023 is outside 19..4096`,
    );
    // RFC 8654 4: OPEN stays within 4096 bytes.
    expect(() => decodeMessage(message(1, '', 5000), { peer, extendedMessages: true })).toThrow(
      '5000 is outside 19..4096',
    );
  });

  it('throws nothing but BgpDecodeError for corrupted and truncated messages', () => {
    const valid = [
      update(ORIGIN + AS_PATH + NEXT_HOP + '80 04 04 00000064 c0 08 04 fde90064', '18 0a0000 20 0a000001'),
      update(
        ORIGIN +
          AS_PATH +
          '80 0e 1b 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001 20 20010db8',
      ),
      open('02 16 01 04 00010001 02 00 41 04 0000fde9 40 06 8078 0001 0180'),
      message(3, '06 02 ab'),
    ];
    // A fixed-seed generator keeps failures reproducible.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const bytes = Buffer.from(valid[i % valid.length] as Buffer);
      for (let flips = 1 + random(3); flips > 0; flips--) bytes[19 + random(bytes.length - 19)] = random(256);
      const cut = random(4) === 0 ? bytes.subarray(0, 19 + random(bytes.length - 19)) : bytes;
      cut.writeUInt16BE(cut.length, 16);
      try {
        decodeMessage(cut, { peer });
      } catch (e) {
        if (!(e instanceof BgpDecodeError)) throw e;
        expect(e.message.startsWith(`peer ${peer}: `)).toBe(true);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2_500);
  });
});
