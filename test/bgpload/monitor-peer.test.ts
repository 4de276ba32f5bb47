/**
 * The monitor against a loopback speaker the test drives with lib/bgp's encoder: the count must
 * follow what the test sent, and waitFor must give the speaker-side read times of the right UPDATE.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import { packAnnouncements, packWithdrawals } from '../../lib/bgp/update-packing.ts';
import { consecutivePrefixes } from '../../lib/bgpload/address-range.ts';
import { MonitorPeer } from '../../lib/bgpload/monitor-peer.ts';
import { monotonicMs } from '../../lib/clock.ts';
import { dutOpen, LoopbackDut, type DutSession } from './loopback-dut.ts';

const POLL = { timeout: 10_000, interval: 20 };
const attrs = (nh: string) => [
  { kind: 'origin' as const, origin: 'igp' as const },
  { kind: 'as-path' as const, segments: [{ type: 'sequence' as const, asns: [65000] }] },
  { kind: 'next-hop' as const, address: nh },
];

describe('MonitorPeer', () => {
  let dut: LoopbackDut;
  let monitor: MonitorPeer | undefined;
  let session: DutSession;

  afterEach(async () => {
    await monitor?.close();
    monitor = undefined;
    await dut?.close();
  });

  async function start(onCount?: (c: number, t: number) => void): Promise<MonitorPeer> {
    dut = new LoopbackDut(dutOpen(false));
    await dut.listen();
    monitor = new MonitorPeer({
      dut: { address: '127.0.0.1', port: dut.port, asn: 65000 },
      address: '127.0.2.1',
      asn: 65535,
      bgpId: '127.0.2.1',
      holdTimeSeconds: 90,
      extendedMessages: true,
      connectTimeoutMs: 10_000,
      onCount,
    });
    await monitor.connect();
    session = dut.session('127.0.2.1')!;
    return monitor;
  }

  it('announces nothing and sends End-of-RIB for both families at once', async () => {
    await start();
    await vi.waitFor(
      () => expect(session.received.filter((m) => m.type === 'END_OF_RIB')).toHaveLength(2),
      POLL,
    );
    expect(session.received.map((m) => m.type)).toEqual(['OPEN', 'KEEPALIVE', 'END_OF_RIB', 'END_OF_RIB']);
  });

  it('counts IPv4 and IPv6 announcements and withdrawals; waitFor gives the read time of the UPDATE that got there', async () => {
    const counts: number[] = [];
    const m = await start((c) => counts.push(c));
    const v4 = consecutivePrefixes('10.0.0.0', 24, 0, 2500);
    const v6 = consecutivePrefixes('2001:db8::', 48, 0, 500);
    const sentAt = monotonicMs();
    for (const b of packAnnouncements({ afi: 1, prefixes: v4, attributes: attrs('127.0.0.1') }))
      dut.send(session, b);
    for (const b of packAnnouncements({
      afi: 2,
      prefixes: v6,
      attributes: attrs('127.0.0.1').slice(0, 2),
      ipv6NextHops: ['2001:db8::1'],
    })) {
      dut.send(session, b);
    }
    // The same prefixes again change nothing (an implicit replace).
    for (const b of packAnnouncements({ afi: 1, prefixes: v4.slice(0, 10), attributes: attrs('127.0.0.9') }))
      dut.send(session, b);
    const all = await m.waitForCount(3000, 10_000);
    expect(all).toBeGreaterThanOrEqual(sentAt);
    expect(m.has('10.9.195.0/24')).toBe(true);
    expect(m.has('2001:db8:1f3::/48')).toBe(true);
    await vi.waitFor(() => expect(m.updatesProcessed).toBe(5), POLL);
    // One sample per UPDATE; counts rise 1013 at a time (a full 4096-byte UPDATE of /24s).
    expect(m.timeline.map((s) => s.count)).toEqual([1013, 2026, 2500, 3000, 3000]);
    expect(counts).toEqual([1013, 2026, 2500, 3000]);
    expect(m.timeline.find((s) => s.count === 3000)!.t).toBe(all);

    const withdrawStart = monotonicMs();
    for (const b of packWithdrawals(2, v6)) dut.send(session, b);
    for (const b of packWithdrawals(1, v4)) dut.send(session, b);
    const zero = await m.waitForCount(0, 10_000, withdrawStart);
    expect(zero).toBeGreaterThanOrEqual(withdrawStart);
    expect(m.count).toBe(0);
    // Earlier samples satisfy a later question from their own time on.
    expect(await m.waitFor((c) => c >= 2000, 1, { since: 0 })).toBe(m.timeline[1]!.t);
  });

  it('waitFor fails after its timeout with the count and the target', async () => {
    const m = await start();
    dut.send(
      session,
      packAnnouncements({ afi: 1, prefixes: ['10.0.0.0/24'], attributes: attrs('127.0.0.1') })[0]!,
    );
    await vi.waitFor(() => expect(m.count).toBe(1), POLL);
    await expect(m.waitForCount(5, 50)).rejects.toThrow(
      'monitor 127.0.2.1: the count did not reach the target within 50 ms (count 1, target 5)',
    );
  });

  it('a malformed UPDATE ends the session with an error naming the peer and field; waiters fail at once', async () => {
    const errors: string[] = [];
    dut = new LoopbackDut(dutOpen(false));
    await dut.listen();
    monitor = new MonitorPeer({
      dut: { address: '127.0.0.1', port: dut.port },
      address: '127.0.2.1',
      asn: 65535,
      bgpId: '127.0.2.1',
      holdTimeSeconds: 90,
      extendedMessages: false,
      connectTimeoutMs: 10_000,
      onError: (msg) => errors.push(msg),
    });
    await monitor.connect();
    const waiting = monitor.waitForCount(10, 10_000);
    // NLRI with a /33 prefix.
    const bad = encodeMessage({
      type: 'UPDATE',
      withdrawn: [],
      attributes: attrs('127.0.0.1'),
      nlri: ['10.0.0.0/24'],
    });
    bad[bad.length - 4] = 33;
    dut.send(dut.session('127.0.2.1')!, bad);
    await expect(waiting).rejects.toThrow(
      /monitor 127\.0\.2\.1: session ended \(peer 127\.0\.2\.1 -> .*NLRI at offset \d+: prefix length 33 exceeds 32\) with count 0/,
    );
    expect(errors[0]).toMatch(
      /^peer 127\.0\.2\.1 -> 127\.0\.0\.1:\d+: malformed message from the DUT: UPDATE: NLRI/,
    );
  });
});
