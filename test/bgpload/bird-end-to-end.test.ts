/**
 * The generator and the monitor with real BIRD 2 between them on loopback: 2 peers x 1000 prefixes
 * go into BIRD, BIRD re-advertises them to the monitor, a withdraw takes the monitor back to 0.
 * BIRD's own route count (birdc) is the independent check.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BgpLoadGenerator } from '../../lib/bgpload/bgp-load-generator.ts';
import { MonitorPeer } from '../../lib/bgpload/monitor-peer.ts';
import { BIRD_ADDRESS, BIRD_AS, BirdDut } from './bird-dut.ts';

const TIMEOUT_MS = 20_000;
const peers = [1, 2].map((i) => ({ name: `gen${i}`, address: `127.0.3.${i}`, asn: 65000 + i }));
const monitorPeer = { name: 'monitor', address: '127.0.3.100', asn: 65535 };

describe('generator -> BIRD 2 -> monitor on loopback', () => {
  const bird = new BirdDut();
  let gen: BgpLoadGenerator;
  let monitor: MonitorPeer;

  beforeAll(async () => {
    await bird.start(peers, monitorPeer);
    const dut = { address: BIRD_ADDRESS, port: bird.port, asn: BIRD_AS };
    const session = { holdTimeSeconds: 90, extendedMessages: true, connectTimeoutMs: TIMEOUT_MS };
    monitor = new MonitorPeer({
      dut,
      address: monitorPeer.address,
      asn: monitorPeer.asn,
      bgpId: monitorPeer.address,
      ...session,
    });
    gen = new BgpLoadGenerator({
      dut,
      peers: peers.map((p) => ({ address: p.address, asn: p.asn, bgpId: p.address })),
      prefixes: { family: 'ipv4', count: 1000, mode: 'distinct' },
      attributes: { asPathLength: 2, communities: ['65000:1'] },
      ...session,
    });
    await Promise.all([monitor.connect(), gen.connect()]);
  });

  afterAll(async () => {
    await gen?.close();
    await monitor?.close();
    await bird.stop();
  });

  it('the monitor receives all 2000 prefixes from BIRD after the generator announced them', async () => {
    await gen.announce();
    const all = await monitor.waitForCount(2000, TIMEOUT_MS);
    const records = gen.records();
    // Truth check: BIRD cannot have re-advertised the last prefix before we had written it.
    expect(all).toBeGreaterThan(Math.min(...records.map((r) => r.lastUpdateWritten!)));
    for (const r of records) {
      expect(r.established!).toBeLessThanOrEqual(r.firstUpdateWritten!);
      expect(r.lastUpdateWritten!).toBeLessThanOrEqual(r.endOfRibWritten!);
    }
    expect(monitor.has('10.0.0.0/24')).toBe(true);
    expect(monitor.has('10.7.207.0/24')).toBe(true);
    await vi.waitFor(
      async () => expect(await bird.birdc('show route count')).toMatch(/2000 of 2000 routes/),
      {
        timeout: TIMEOUT_MS,
      },
    );
    console.log(
      `BIRD: 2 x 1000 /24 written in ${(Math.max(...records.map((r) => r.lastUpdateWritten!)) - Math.min(...records.map((r) => r.firstUpdateWritten!))).toFixed(1)} ms, ` +
        `all at the monitor ${(all - Math.min(...records.map((r) => r.firstUpdateWritten!))).toFixed(1)} ms after the first write`,
    );
  });

  it('withdraw takes the monitor back to 0', async () => {
    const start = Math.max(...gen.records().map((r) => r.endOfRibWritten!));
    await gen.withdraw();
    const zero = await monitor.waitForCount(0, TIMEOUT_MS, start);
    const records = gen.records();
    expect(zero).toBeGreaterThan(Math.min(...records.map((r) => r.lastWithdrawWritten!)));
    expect(monitor.count).toBe(0);
    await vi.waitFor(async () => expect(await bird.birdc('show route count')).toMatch(/0 of 0 routes/), {
      timeout: TIMEOUT_MS,
    });
  });
});
