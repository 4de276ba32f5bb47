/**
 * lib/bgp against a real BGP speaker: BIRD 2 connects to us, and what lib/bgp decodes must match the
 * config this test wrote for BIRD (the independent truth). birdc gives a second view of the session.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  DecodedBgpMessage,
  OpenMessage,
  PathAttribute,
  UpdateMessage,
} from '../../lib/bgp/message-types.ts';
import { AS_TRANS, Afi, Safi } from '../../lib/bgp/wire-codes.ts';
import type { ProcessHandle } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { shellQuote } from '../../lib/hosts/shell-quote.ts';
import { freePort } from '../support/free-port.ts';
import { birdConfig, ipv4Slash24s, ipv6Slash48s, type BirdSpeaker } from './bird-config.ts';
import { PassiveBgpPeer } from './passive-bgp-peer.ts';

const INSTALL_HINT =
  'install it as root: apt-get install -y bird2 (or bash scripts/ensure-system-packages.sh)';
/** BIRD's connect delay is 1 s; the rest is margin for a loaded machine. */
const SESSION_TIMEOUT_MS = 20_000;
const POLL = { timeout: SESSION_TIMEOUT_MS, interval: 100 };

const ourOpen: OpenMessage = {
  type: 'OPEN',
  version: 4,
  asn: 65002,
  holdTimeSeconds: 90,
  bgpId: '10.0.0.2',
  capabilities: [
    { kind: 'multiprotocol', afi: Afi.IPV4, safi: Safi.UNICAST },
    { kind: 'multiprotocol', afi: Afi.IPV6, safi: Safi.UNICAST },
    { kind: 'four-octet-as', asn: 65002 },
    { kind: 'route-refresh' },
    // Advertised so that graceful restart is negotiated and BIRD marks the end of each initial table.
    {
      kind: 'graceful-restart',
      flags: 0,
      restartTimeSeconds: 120,
      families: [
        { afi: Afi.IPV4, safi: Safi.UNICAST, flags: 0 },
        { afi: Afi.IPV6, safi: Safi.UNICAST, flags: 0 },
      ],
    },
  ],
};

function attribute<K extends PathAttribute['kind']>(
  u: UpdateMessage,
  kind: K,
): Extract<PathAttribute, { kind: K }> | undefined {
  return u.attributes.find((a): a is Extract<PathAttribute, { kind: K }> => a.kind === kind);
}

describe('lib/bgp with BIRD 2 as the peer', () => {
  const host = new LocalHost({ name: 'bird-host', runTag: `bird-peer-${process.pid}` });
  let dir: string;
  let socketPath: string;
  let speaker: BirdSpeaker;
  let bird: ProcessHandle | undefined;
  let peer: PassiveBgpPeer;

  const birdc = async (command: string): Promise<string> => {
    const r = await host.exec(`birdc -s ${shellQuote(socketPath)} ${command}`, { timeoutMs: 10_000 });
    return r.stdout + r.stderr;
  };
  const messages = (type: DecodedBgpMessage['type']) => peer.received.filter((m) => m.type === type);

  beforeAll(async () => {
    const which = await host.exec('command -v bird && command -v birdc');
    if (which.code !== 0) throw new Error(`BIRD 2 (bird, birdc) is not installed; ${INSTALL_HINT}`);

    dir = await mkdtemp(join(tmpdir(), 'bird-peer-'));
    socketPath = join(dir, 'bird.ctl');
    speaker = {
      routerId: '10.0.0.1',
      localAs: 4_200_000_001,
      // Not the neighbor's address: BIRD refuses a NEXT_HOP equal to the neighbor's and withdraws the route.
      localAddress: '127.0.0.2',
      localPort: await freePort('127.0.0.2'),
      peerAs: ourOpen.asn,
      peerAddress: '127.0.0.1',
      peerPort: await freePort(),
      holdTimeSeconds: 90,
      ipv4Routes: ipv4Slash24s(300),
      ipv6Routes: ipv6Slash48s(50),
      ipv6NextHop: '2001:db8::1',
    };
    const conf = join(dir, 'bird.conf');
    await writeFile(conf, birdConfig(speaker));

    peer = new PassiveBgpPeer(ourOpen);
    await peer.listen(speaker.peerPort, speaker.peerAddress);
    const q = shellQuote;
    bird = await host.spawn(`exec bird -f -c ${q(conf)} -s ${q(socketPath)} -P ${q(join(dir, 'bird.pid'))}`, {
      name: 'bird',
    });
    // Up once its control socket answers; a config error ends the process instead, with the reason.
    await vi.waitFor(async () => {
      if (bird?.exited) throw new Error(`bird exited at start:\n${bird.output()}`);
      expect(await birdc('show status')).toContain('Daemon is up and running');
    }, POLL);
  });

  afterAll(async () => {
    await peer?.close();
    await bird?.stop();
    await host.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends an OPEN that carries its configured AS, hold time, identifier and capabilities', async () => {
    await vi.waitFor(() => expect(messages('OPEN')).toHaveLength(1), POLL);
    expect(peer.failure).toBeUndefined();
    const open = messages('OPEN')[0] as OpenMessage;
    const raw = peer.frames[peer.received.indexOf(open)] as Buffer;
    // The decoder reports the capability's AS; the 2-byte "My AS" (after header and version) must be AS_TRANS.
    expect(raw.readUInt16BE(20)).toBe(AS_TRANS);
    expect(open).toMatchObject({
      version: 4,
      asn: speaker.localAs,
      holdTimeSeconds: speaker.holdTimeSeconds,
      bgpId: speaker.routerId,
    });
    expect(open.capabilities).toEqual(
      expect.arrayContaining([
        { kind: 'multiprotocol', afi: Afi.IPV4, safi: Safi.UNICAST },
        { kind: 'multiprotocol', afi: Afi.IPV6, safi: Safi.UNICAST },
        { kind: 'route-refresh' },
        { kind: 'four-octet-as', asn: speaker.localAs },
      ]),
    );
    const gr = open.capabilities.find((c) => c.kind === 'graceful-restart');
    expect(gr?.families.map((f) => [f.afi, f.safi])).toEqual([
      [Afi.IPV4, Safi.UNICAST],
      [Afi.IPV6, Safi.UNICAST],
    ]);
  });

  it('announces exactly the configured prefixes, each once, then End-of-RIB for IPv4 and IPv6', async () => {
    await vi.waitFor(() => expect(messages('END_OF_RIB')).toHaveLength(2), POLL);
    expect(peer.failure).toBeUndefined();
    const updates = messages('UPDATE') as UpdateMessage[];
    const ipv4 = updates.filter((u) => u.nlri.length > 0);
    const ipv6 = updates.filter((u) => attribute(u, 'mp-reach'));
    expect(ipv4.length + ipv6.length, 'every UPDATE announces IPv4 or IPv6 prefixes').toBe(updates.length);
    expect(updates.flatMap((u) => u.withdrawn)).toEqual([]);

    const v4 = ipv4.flatMap((u) => u.nlri);
    const v6 = ipv6.flatMap((u) => attribute(u, 'mp-reach')?.nlri ?? []);
    expect(v4).toHaveLength(speaker.ipv4Routes.length);
    expect(new Set(v4)).toEqual(new Set(speaker.ipv4Routes));
    expect(v6).toHaveLength(speaker.ipv6Routes.length);
    expect(new Set(v6)).toEqual(new Set(speaker.ipv6Routes));

    for (const u of updates) {
      // eBGP: BIRD prepends its own AS; routes it originates from other protocols get ORIGIN IGP.
      expect(attribute(u, 'as-path')?.segments).toEqual([{ type: 'sequence', asns: [speaker.localAs] }]);
      expect(attribute(u, 'origin')?.origin).toBe('igp');
    }
    for (const u of ipv4) expect(attribute(u, 'next-hop')?.address).toBe(speaker.localAddress);
    for (const u of ipv6) {
      expect(attribute(u, 'mp-reach')).toMatchObject({ afi: Afi.IPV6, safi: Safi.UNICAST });
      expect(attribute(u, 'mp-reach')?.nextHops).toEqual([speaker.ipv6NextHop]);
    }

    // Each family's End-of-RIB follows its last UPDATE.
    const at = (m: DecodedBgpMessage) => peer.received.indexOf(m);
    const eor = (afi: number) =>
      messages('END_OF_RIB').find((m) => m.type === 'END_OF_RIB' && m.afi === afi && m.safi === Safi.UNICAST);
    expect(at(eor(Afi.IPV4)!)).toBeGreaterThan(Math.max(...ipv4.map(at)));
    expect(at(eor(Afi.IPV6)!)).toBeGreaterThan(Math.max(...ipv6.map(at)));

    console.log(
      `BIRD packed ${speaker.ipv4Routes.length} IPv4 /24 into ${ipv4.length} UPDATE(s) and ` +
        `${speaker.ipv6Routes.length} IPv6 /48 into ${ipv6.length}`,
    );
  });

  it('is Established in birdc too, and BIRD sees the session go down when we close it', async () => {
    const state = async () => (await birdc('show protocols peer')).split('\n').find((l) => /^peer\s/.test(l));
    expect(await state()).toMatch(/\bup\b.*Established/);

    await peer.closeSession();
    await vi.waitFor(async () => expect(await state()).not.toMatch(/Established/), POLL);
    expect(peer.failure).toBeUndefined();
  });
});
