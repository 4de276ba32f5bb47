/**
 * GoBGP, BIRD 2 and FRR started by their drivers as devices under test, in namespaces (as root) and on
 * loopback: real BGP sessions from the peers side (a speaker on lib/bgp, run as a child process there),
 * the daemon's own state must show them Established with what was announced, the monitor must get
 * everything back, and stop/delete must leave no process, temp dir or namespace.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import type { ProcessHandle } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { shellQuote } from '../../lib/hosts/shell-quote.ts';
import { BGP_DAEMON_KINDS, type BgpDaemon, type BgpDaemonKind } from '../../lib/daemons/bgp-daemon.ts';
import { createBgpDaemon } from '../../lib/daemons/create-bgp-daemon.ts';
import { createTopology } from '../../lib/daemons/create-topology.ts';
import { parseNetnsList } from '../../lib/hosts/netns-keeper.ts';
import { namespacesUsable } from '../../lib/daemons/netns-topology.ts';
import type { DaemonTopology, TopologyKind } from '../../lib/daemons/topology.ts';
import { peerPrefixes, type SpeakerSession } from './bgp-test-speaker.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SPEAKER = fileURLToPath(new URL('./speaker-main.ts', import.meta.url));
const COMM: Record<BgpDaemonKind, string> = { gobgp: 'gobgpd', bird: 'bird', frr: 'bgpd' };
const PREFIXES_PER_PEER = 50;
const PEERS = 2;
const LOCAL_AS = 65000;
const MONITOR_AS = 65200;
/**
 * Sessions come up within a second or two; the rest is margin for a loaded machine (30 s was once not
 * enough for FRR while daemon suites ran beside this file).
 */
const POLL = { timeout: 60_000, interval: 200 };

const topologyKinds: TopologyKind[] = (await namespacesUsable()) ? ['netns', 'loopback'] : ['loopback'];
const root = new LocalHost({ name: 'test-root', runTag: `daemons-test-${process.pid}` });

async function namespaceNames(): Promise<string[]> {
  return parseNetnsList((await root.exec('ip netns list')).stdout);
}

describe.each(BGP_DAEMON_KINDS)('%s as the device under test', (kind) => {
  let topology: DaemonTopology | undefined;
  let daemon: BgpDaemon | undefined;
  let speaker: ProcessHandle | undefined;

  afterEach(async () => {
    await speaker?.stop({ graceMs: 1000 });
    await daemon?.stop();
    await topology?.delete();
    speaker = daemon = topology = undefined;
  });

  it.each(topologyKinds)(
    '%s topology: sessions, state, monitor, clean stop',
    async (topologyKind) => {
      const runTag = process.env.NETSCALE_RUN_ID ?? `daemons-${process.pid}`;
      const t = await createTopology({ kind: topologyKind, peers: PEERS, runTag });
      topology = t;
      const d = createBgpDaemon(kind);
      daemon = d;
      const peers = t.peerAddresses.map((address, i) => ({ address, as: 65101 + i }));
      const started = await d.start({
        topology: t,
        localAs: LOCAL_AS,
        peers,
        monitor: { address: t.monitorAddress, as: MONITOR_AS },
      });
      expect(started).toMatchObject({
        kind,
        address: t.dutAddress,
        port: t.bgpPort,
        localAs: LOCAL_AS,
        routerId: t.dutAddress,
      });
      expect(d.pid).toBe(started.pid);
      // The pid is the daemon itself, for CPU/RSS sampling, not a wrapper shell.
      expect((await root.exec(`cat /proc/${started.pid}/comm`)).stdout.trim()).toBe(COMM[kind]);
      expect(await d.version()).toMatch(/^\d+\.\d+/);

      // Idle: no session yet, every neighbor configured.
      const idleStart = monotonicMs();
      const idle = await d.state();
      const idleMs = monotonicMs() - idleStart;
      console.log(`${kind} (${topologyKind}): one idle state() call took ${idleMs.toFixed(1)} ms`);
      expect(idle.peersEstablished).toBe(0);
      expect(idle.peers.map((p) => p.address).sort()).toEqual([...t.peerAddresses, t.monitorAddress].sort());
      // The poller's reads: one query each on a connection the driver keeps open.
      const peersStart = monotonicMs();
      expect(await d.peersEstablished(t.peerAddresses)).toBe(0);
      const peersMs = monotonicMs() - peersStart;
      const ribStart = monotonicMs();
      expect(await d.ribPrefixes()).toBe(0);
      const ribMs = monotonicMs() - ribStart;
      expect(await d.prefixesFrom(t.peerAddresses)).toBe(0);
      console.log(
        `${kind} (${topologyKind}): idle peersEstablished() ${peersMs.toFixed(1)} ms, ribPrefixes() ${ribMs.toFixed(1)} ms`,
      );

      const sessions: SpeakerSession[] = [
        ...peers.map((p, i) => ({
          localAddress: p.address,
          as: p.as,
          nextHop: t.peerNextHops[i]!,
          prefixes: peerPrefixes(i, PREFIXES_PER_PEER),
        })),
        { localAddress: t.monitorAddress, as: MONITOR_AS, nextHop: t.monitorAddress, prefixes: [] },
      ];
      const plan = JSON.stringify({ dut: { address: started.address, port: started.port }, sessions });
      speaker = await t.peersHost.spawn(
        ['exec', process.execPath, '--import', 'tsx', SPEAKER, plan].map(shellQuote).join(' '),
        { name: 'bgp-test-speaker', cwd: REPO },
      );

      const total = PEERS * PREFIXES_PER_PEER;
      await expect
        .poll(() => d.state(), POLL)
        .toEqual({
          peersEstablished: PEERS + 1,
          ribPrefixes: total,
          peers: expect.arrayContaining([
            ...peers.map((p) => ({
              address: p.address,
              state: 'established',
              prefixesReceived: PREFIXES_PER_PEER,
            })),
            { address: t.monitorAddress, state: 'established', prefixesReceived: 0 },
          ]),
        });
      expect(await d.peersEstablished(t.peerAddresses)).toBe(PEERS);
      expect(await d.peersEstablished([t.monitorAddress, '192.0.2.1'])).toBe(1);
      expect(await d.ribPrefixes()).toBe(total);
      // Per-peer counters: each generator peer's own prefixes; the monitor gave none.
      expect(await d.prefixesFrom(t.peerAddresses)).toBe(total);
      expect(await d.prefixesFrom([t.peerAddresses[0]!, t.monitorAddress])).toBe(PREFIXES_PER_PEER);
      // The second observer: everything the daemon holds reached the monitor.
      await expect.poll(() => speaker?.output(), POLL).toContain(`received ${t.monitorAddress} ${total}`);
      expect(speaker.output()).not.toMatch(/^failed /m);

      await speaker.stop({ graceMs: 1000 });
      await d.stop();
      expect(d.pid).toBeUndefined();
      expect(existsSync(`/proc/${started.pid}`)).toBe(false);
      expect(existsSync(started.dir)).toBe(false);
      await t.delete();
      if (t.namespaces) {
        const left = await namespaceNames();
        expect(left).not.toContain(t.namespaces.dut);
        expect(left).not.toContain(t.namespaces.peers);
      }
    },
    180_000,
  );
});
