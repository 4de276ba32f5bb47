import { describe, expect, it } from 'vitest';
import { BgpDecodeError } from '../../lib/bgp/decode-error.ts';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import { BgpFramer } from '../../lib/bgp/framer.ts';
import type { BgpMessage } from '../../lib/bgp/message-types.ts';

const peer = '198.18.0.2';

const conversation: BgpMessage[] = [
  {
    type: 'OPEN',
    version: 4,
    asn: 65002,
    holdTimeSeconds: 90,
    bgpId: '198.18.0.2',
    capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'route-refresh' }],
  },
  { type: 'KEEPALIVE' },
  {
    type: 'UPDATE',
    withdrawn: [],
    attributes: [
      { kind: 'origin', origin: 'igp' },
      { kind: 'as-path', segments: [{ type: 'sequence', asns: [65002] }] },
      { kind: 'next-hop', address: '198.18.0.2' },
    ],
    nlri: ['10.0.0.0/24', '10.0.1.0/24'],
  },
  { type: 'END_OF_RIB', afi: 1, safi: 1 },
  { type: 'KEEPALIVE' },
  { type: 'NOTIFICATION', code: 6, subcode: 2, data: Buffer.alloc(0) },
];
const frames = conversation.map((m) => encodeMessage(m));
const stream = Buffer.concat(frames);

describe('BgpFramer', () => {
  it('returns every message of one chunk, in order', () => {
    const framer = new BgpFramer(peer);
    expect(framer.push(stream)).toEqual(frames);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('returns the same messages whichever byte the stream is split at', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const framer = new BgpFramer(peer);
      const out = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      expect(out, `split at byte ${cut}`).toEqual(frames);
    }
  });

  it('returns the same messages when fed one byte at a time, each as soon as its last byte arrives', () => {
    const framer = new BgpFramer(peer);
    const ends = new Set(frames.map((_, i) => frames.slice(0, i + 1).reduce((n, f) => n + f.length, 0)));
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = framer.push(stream.subarray(i, i + 1));
      expect(got.length, `after byte ${i + 1}`).toBe(ends.has(i + 1) ? 1 : 0);
      out.push(...got);
    }
    expect(out).toEqual(frames);
    expect(out.map((f) => decodeMessage(f, { peer }).type)).toEqual(conversation.map((m) => m.type));
  });

  it('fails on a bad header, naming the peer', () => {
    const framer = new BgpFramer(peer);
    const bad = Buffer.from(frames[1] as Buffer);
    bad[0] = 0;
    expect(framer.push(frames[0] as Buffer)).toHaveLength(1);
    expect(() => framer.push(bad)).toThrow(BgpDecodeError);
    expect(() => new BgpFramer(peer).push(bad)).toThrow(
      `peer ${peer}: header: marker at offset 0: byte 0 is 0x00, not 0xff`,
    );
  });

  it('takes messages above 4096 bytes only once extended messages are on', () => {
    const withdrawn = Array.from({ length: 2000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const big = encodeMessage(
      { type: 'UPDATE', withdrawn, attributes: [], nlri: [] },
      { maxMessageLength: 65535 },
    );
    expect(() => new BgpFramer(peer).push(big)).toThrow(
      `peer ${peer}: UPDATE: length at offset 16: ${big.length} is outside 19..4096`,
    );
    const framer = new BgpFramer(peer);
    framer.extendedMessages = true;
    expect(framer.push(big.subarray(0, 5000))).toEqual([]);
    expect(framer.push(big.subarray(5000))).toEqual([big]);
  });
});
