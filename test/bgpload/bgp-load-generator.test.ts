/**
 * The generator against a loopback DUT built on lib/bgp's decoder: what the DUT decoded is the truth
 * for what was announced, packed and withdrawn; the generator's records are checked against the
 * DUT's own read times.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DecodedBgpMessage, UpdateMessage } from '../../lib/bgp/message-types.ts';
import { BgpLoadGenerator, type BgpLoadGeneratorOptions } from '../../lib/bgpload/bgp-load-generator.ts';
import { dutOpen, LoopbackDut, type DutSession } from './loopback-dut.ts';

const POLL = { timeout: 20_000, interval: 20 };

function announced(s: DutSession): string[] {
  return s.received.flatMap((m) => {
    if (m.type !== 'UPDATE') return [];
    const mp = m.attributes.flatMap((a) => (a.kind === 'mp-reach' ? a.nlri : []));
    return [...m.nlri, ...mp];
  });
}

function withdrawn(s: DutSession): string[] {
  return s.received.flatMap((m) => {
    if (m.type !== 'UPDATE') return [];
    const mp = m.attributes.flatMap((a) => (a.kind === 'mp-unreach' ? a.withdrawn : []));
    return [...m.withdrawn, ...mp];
  });
}

const types = (s: DutSession) => s.received.map((m: DecodedBgpMessage) => m.type);

describe('BgpLoadGenerator', () => {
  let dut: LoopbackDut;
  let gen: BgpLoadGenerator | undefined;

  afterEach(async () => {
    await gen?.close();
    gen = undefined;
    await dut?.close();
  });

  async function start(extended: { dut: boolean; gen: boolean }, o: Partial<BgpLoadGeneratorOptions> = {}) {
    dut = new LoopbackDut(dutOpen(extended.dut));
    await dut.listen();
    gen = new BgpLoadGenerator({
      dut: { address: '127.0.0.1', port: dut.port, asn: 65000 },
      peers: [1, 2, 3].map((i) => ({ address: `127.0.1.${i}`, asn: 65000 + i, bgpId: `127.0.1.${i}` })),
      prefixes: { family: 'ipv4', count: 3000, mode: 'distinct' },
      attributes: { asPathLength: 1, communities: [] },
      holdTimeSeconds: 90,
      extendedMessages: extended.gen,
      connectTimeoutMs: 10_000,
      ...o,
    });
    await gen.connect();
    return gen;
  }

  it('announces every prefix exactly once per peer, packed near 4096 bytes, then End-of-RIB', async () => {
    const g = await start({ dut: true, gen: false });
    await g.announce();
    await vi.waitFor(() => {
      for (const i of [1, 2, 3]) expect(types(dut.session(`127.0.1.${i}`)!)).toContain('END_OF_RIB');
    }, POLL);
    expect(dut.failure).toBeUndefined();
    const all: string[] = [];
    for (const i of [1, 2, 3]) {
      const s = dut.session(`127.0.1.${i}`)!;
      const got = announced(s);
      expect(got).toHaveLength(3000);
      expect(new Set(got).size).toBe(3000);
      all.push(...got);
      // eBGP: AS_PATH is the peer's own AS; NEXT_HOP its own address.
      const u = s.received.find((m): m is UpdateMessage => m.type === 'UPDATE')!;
      expect(u.attributes).toContainEqual({
        kind: 'as-path',
        segments: [{ type: 'sequence', asns: [65000 + i] }],
      });
      expect(u.attributes).toContainEqual({ kind: 'next-hop', address: `127.0.1.${i}` });
      // All UPDATEs but the last are full to within one prefix (4 bytes for a /24).
      const updates = s.lengths.filter((_, k) => s.received[k]?.type === 'UPDATE');
      expect(updates).toHaveLength(3);
      for (const len of updates.slice(0, -1)) expect(len).toBeGreaterThan(4096 - 4);
      expect(Math.max(...updates)).toBeLessThanOrEqual(4096);
      expect(s.received.at(-1)).toEqual({ type: 'END_OF_RIB', afi: 1, safi: 1 });
    }
    // Distinct blocks: 10.0.0.0/24 up to 9000 /24s on, no overlap between peers.
    expect(new Set(all).size).toBe(9000);
    expect(all).toContain('10.0.0.0/24');
    expect(all).toContain('10.35.39.0/24');
  });

  it('records are monotone and bracket what the DUT read', async () => {
    const g = await start({ dut: false, gen: false });
    await g.announce();
    await vi.waitFor(() => expect(types(dut.session('127.0.1.1')!)).toContain('END_OF_RIB'), POLL);
    for (const r of g.records()) {
      expect(r.sessions).toBe(1);
      expect(r.established!).toBeLessThanOrEqual(r.firstUpdateWritten!);
      expect(r.firstUpdateWritten!).toBeLessThanOrEqual(r.lastUpdateWritten!);
      expect(r.lastUpdateWritten!).toBeLessThanOrEqual(r.endOfRibWritten!);
      expect(r.updatesWritten).toBe(3);
      expect(r.prefixesAnnounced).toBe(3000);
      // The DUT cannot have read the first UPDATE before we started writing it.
      const s = dut.session(r.peer)!;
      const firstRead = s.readAt[s.received.findIndex((m) => m.type === 'UPDATE')]!;
      expect(firstRead).toBeGreaterThanOrEqual(r.firstUpdateWritten!);
    }
  });

  it('a probe is one withdrawal of a prefix the peer never announced, read after its send time, recorded nowhere', async () => {
    const g = await start({ dut: false, gen: false });
    await g.announce();
    await vi.waitFor(() => expect(types(dut.session('127.0.1.1')!)).toContain('END_OF_RIB'), POLL);
    const before = JSON.stringify(g.records());
    const sentAt = await g.probe('127.0.1.1', '192.0.2.1/32');
    const s = dut.session('127.0.1.1')!;
    await vi.waitFor(
      () => expect(s.received.at(-1)).toMatchObject({ type: 'UPDATE', withdrawn: ['192.0.2.1/32'] }),
      POLL,
    );
    expect(s.received.at(-1)).toMatchObject({ nlri: [], attributes: [] });
    expect(s.readAt.at(-1)!).toBeGreaterThanOrEqual(sentAt);
    expect(withdrawn(dut.session('127.0.1.2')!)).toEqual([]);
    expect(JSON.stringify(g.records())).toBe(before);
    await expect(g.probe('127.0.9.9', '192.0.2.1/32')).rejects.toThrow('probe: no peer 127.0.9.9');
  });

  it('uses 65535-byte UPDATEs only when both sides offer extended messages', async () => {
    for (const [dutSays, genSays, max] of [
      [true, true, 65535],
      [true, false, 4096],
      [false, true, 4096],
    ] as const) {
      const g = await start(
        { dut: dutSays, gen: genSays },
        {
          peers: [{ address: '127.0.1.9', asn: 65009, bgpId: '1.1.1.9' }],
          prefixes: { family: 'ipv4', count: 20_000, mode: 'distinct' },
        },
      );
      await g.announce();
      const s = dut.session('127.0.1.9')!;
      await vi.waitFor(() => expect(types(s)).toContain('END_OF_RIB'), POLL);
      expect(dut.failure).toBeUndefined();
      const updates = s.lengths.filter((_, k) => s.received[k]?.type === 'UPDATE');
      expect(Math.max(...updates), `dut ${dutSays} generator ${genSays}`).toBeGreaterThan(max - 5);
      expect(Math.max(...updates)).toBeLessThanOrEqual(max);
      expect(new Set(announced(s)).size).toBe(20_000);
      await g.close();
      gen = undefined;
      await dut.close();
    }
  });

  it('shares encoded bytes between peers that announce identical UPDATEs', async () => {
    const g = await start(
      { dut: false, gen: false },
      {
        peers: [1, 2, 3].map((i) => ({ address: `127.0.1.${i}`, asn: 65100, bgpId: `127.0.1.${i}` })),
        prefixes: { family: 'ipv4', count: 500, mode: 'shared' },
        attributes: { asPathLength: 3, communities: ['65000:7'], nextHop: '192.0.2.1' },
      },
    );
    // One announcement stream and one withdrawal stream, encoded before the sessions came up, each shared
    // by the two other peers.
    expect(g.encodeStats).toEqual({ encoded: 2, shared: 4 });
    await g.announce();
    await vi.waitFor(() => {
      for (const i of [1, 2, 3]) expect(types(dut.session(`127.0.1.${i}`)!)).toContain('END_OF_RIB');
    }, POLL);
    const u = dut.session('127.0.1.2')!.received.find((m): m is UpdateMessage => m.type === 'UPDATE')!;
    expect(u.attributes).toContainEqual({
      kind: 'as-path',
      segments: [{ type: 'sequence', asns: [65100, 65100, 65100] }],
    });
    expect(u.attributes).toContainEqual({ kind: 'communities', communities: [65000 * 65536 + 7] });
    expect(u.attributes).toContainEqual({ kind: 'next-hop', address: '192.0.2.1' });
    expect(new Set(announced(dut.session('127.0.1.3')!))).toEqual(
      new Set(announced(dut.session('127.0.1.1')!)),
    );
  });

  it('announces IPv6 /48s in MP_REACH_NLRI and withdraws them in MP_UNREACH_NLRI', async () => {
    const g = await start(
      { dut: false, gen: false },
      {
        prefixes: { family: 'ipv6', count: 1200, mode: 'distinct' },
        attributes: { asPathLength: 1, communities: [] },
      },
    );
    await g.announce();
    await g.withdraw();
    const s = dut.session('127.0.1.2')!;
    await vi.waitFor(() => expect(withdrawn(s)).toHaveLength(1200), POLL);
    expect(announced(s)).toEqual(withdrawn(s));
    expect(announced(s)[0]).toBe('2001:db8:4b0::/48');
    const reach = s.received
      .flatMap((m) => (m.type === 'UPDATE' ? m.attributes : []))
      .find((a) => a.kind === 'mp-reach');
    expect(reach).toMatchObject({ afi: 2, nextHops: ['::ffff:7f00:102'] });
  });

  it('withdraw sends every prefix withdrawn, packed, and nothing after it', async () => {
    const g = await start({ dut: false, gen: false });
    await g.announce();
    await g.withdraw();
    const s = dut.session('127.0.1.1')!;
    await vi.waitFor(() => expect(withdrawn(s)).toHaveLength(3000), POLL);
    expect(new Set(withdrawn(s))).toEqual(new Set(announced(s)));
    const eor = types(s).lastIndexOf('END_OF_RIB');
    const after = s.received.slice(eor + 1);
    expect(after.every((m) => m.type === 'UPDATE' || m.type === 'KEEPALIVE')).toBe(true);
    expect(after.filter((m) => m.type === 'UPDATE')).toHaveLength(3);
    for (const r of g.records()) {
      expect(r.withdrawStart!).toBeGreaterThanOrEqual(r.endOfRibWritten!);
      expect(r.lastWithdrawWritten!).toBeGreaterThanOrEqual(r.withdrawStart!);
    }
  });

  it("churn withdraws the first share of every peer's prefixes, then announces exactly those again", async () => {
    const g = await start({ dut: false, gen: false });
    await g.announce();
    const s = dut.session('127.0.1.2')!;
    await vi.waitFor(() => expect(announced(s)).toHaveLength(3000), POLL);
    const first = announced(s).slice(0, 300);
    await g.withdrawShare(0.1);
    await vi.waitFor(() => expect(withdrawn(s)).toHaveLength(300), POLL);
    expect(withdrawn(s)).toEqual(first);
    await g.announceShare(0.1);
    await vi.waitFor(() => expect(announced(s)).toHaveLength(3300), POLL);
    expect(announced(s).slice(3000)).toEqual(first);
    await expect(g.withdrawShare(0)).rejects.toThrow('churn: expected a share in (0, 1], found 0');
  });

  it('flap closes n sessions without withdrawing, reconnects them and re-announces', async () => {
    const g = await start({ dut: false, gen: false });
    await g.announce();
    const before = g.records();
    await g.flap(2);
    expect(dut.failure).toBeUndefined();
    const [first, second, third] = [1, 2, 3].map((i) =>
      dut.sessions.filter((s) => s.remoteAddress === `127.0.1.${i}`),
    );
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    expect(third).toHaveLength(1);
    // The old session ended with Cease and no withdrawals.
    const old = first![0]!;
    await vi.waitFor(() => expect(old.closed).toBe(true), POLL);
    expect(withdrawn(old)).toEqual([]);
    expect(old.received.at(-1)).toMatchObject({ type: 'NOTIFICATION', code: 6, subcode: 4 });
    const fresh = first![1]!;
    await vi.waitFor(() => expect(types(fresh)).toContain('END_OF_RIB'), POLL);
    expect(new Set(announced(fresh))).toEqual(new Set(announced(old)));
    const after = g.records();
    expect(after[0]!.sessions).toBe(2);
    expect(after[0]!.established!).toBeGreaterThan(before[0]!.endOfRibWritten!);
    expect(after[0]!.firstUpdateWritten!).toBeGreaterThanOrEqual(after[0]!.established!);
    expect(after[2]).toEqual(before[2]);
  });

  it('a NOTIFICATION from the DUT becomes an error naming the peer and the reason', async () => {
    const errors: string[] = [];
    await start(
      { dut: false, gen: false },
      { onEvent: (e) => e.event === 'error' && errors.push(`${e.peer}: ${e.message}`) },
    );
    const s = dut.session('127.0.1.2')!;
    // Cease / Maximum Number of Prefixes Reached.
    dut.send(s, Buffer.from('ffffffffffffffffffffffffffffffff0015030601', 'hex'));
    await vi.waitFor(() => expect(errors).toHaveLength(1), POLL);
    expect(errors[0]).toMatch(
      /^127\.0\.1\.2: peer 127\.0\.1\.2 -> 127\.0\.0\.1:\d+: NOTIFICATION from the DUT: Cease \/ Maximum Number of Prefixes Reached$/,
    );
    expect(gen!.records()[1]!.closed?.reason).toContain('Maximum Number of Prefixes Reached');
    await expect(gen!.announce()).rejects.toThrow(
      /announce failed on 1 of 3 peer\(s\):\n {2}127\.0\.1\.2: .*session is down .*Maximum Number of Prefixes Reached/,
    );
  });

  it('sends keepalives at a third of the hold time and ends the session when the DUT goes silent', async () => {
    const errors: string[] = [];
    await start(
      { dut: false, gen: false },
      { holdTimeSeconds: 3, onEvent: (e) => e.event === 'error' && errors.push(e.message) },
    );
    const s = dut.session('127.0.1.1')!;
    // The loopback DUT sends nothing after its first KEEPALIVE: our hold timer (3 s) must fire.
    await vi.waitFor(() => expect(errors).toHaveLength(3), { timeout: 10_000, interval: 50 });
    expect(errors[0]).toMatch(
      /^peer 127\.0\.1\.\d -> .*: no message from the DUT within the hold time of 3 s$/,
    );
    // Two keepalives (at 1 s and 2 s) after the one that confirmed the OPEN, then Hold Timer Expired.
    expect(s.received.filter((m) => m.type === 'KEEPALIVE').length).toBeGreaterThanOrEqual(3);
    await vi.waitFor(() => expect(s.received.at(-1)).toMatchObject({ type: 'NOTIFICATION', code: 4 }), POLL);
  });

  it('a malformed message from the DUT is an error naming the peer and the field, not a crash', async () => {
    const errors: string[] = [];
    await start(
      { dut: false, gen: false },
      { onEvent: (e) => e.event === 'error' && errors.push(e.message) },
    );
    // An UPDATE whose ORIGIN value is 7.
    const update = Buffer.from('ffffffffffffffffffffffffffffffff001b020000000440010107', 'hex');
    update.writeUInt16BE(update.length, 16);
    dut.send(dut.session('127.0.1.3')!, update);
    await vi.waitFor(() => expect(errors).toHaveLength(1), POLL);
    expect(errors[0]).toMatch(
      /^peer 127\.0\.1\.3 -> .*: malformed message from the DUT: UPDATE: path attribute ORIGIN at offset 23: value 7/,
    );
  });
});
