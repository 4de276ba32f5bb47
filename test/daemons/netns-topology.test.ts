/**
 * The namespace topology's life cycle: what it builds, that its keeper deletes the namespaces when the
 * Node process that made them is SIGKILLed, and that the reaper deletes only namespaces whose keeper is
 * gone. The loopback topology's plan is checked too (it needs no privileges).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { createLoopbackTopology } from '../../lib/daemons/loopback-topology.ts';
import {
  DAEMON_NAMESPACE_PREFIX,
  liveKeeperIds,
  parseNetnsList,
  reapLeftoverNamespaces,
} from '../../lib/hosts/netns-keeper.ts';
import { createNetnsTopology, namespacesUsable } from '../../lib/daemons/netns-topology.ts';

const root = new LocalHost({ name: 'test-root', runTag: `topology-test-${process.pid}` });
const CHILD = fileURLToPath(new URL('./topology-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const netns = await namespacesUsable();
/** The guard notices its parent is gone within a second; the rest is margin. */
const POLL = { timeout: 15_000, interval: 100 };

const namespaces = async () => parseNetnsList((await root.exec('ip netns list')).stdout);

describe('loopback topology', () => {
  it('puts the daemon and peers on distinct 127.18 addresses, the daemon on a free unprivileged port', async () => {
    const t = await createLoopbackTopology({ peers: 3, runTag: 'loopback-test' });
    expect(t).toMatchObject({
      kind: 'loopback',
      namespaces: undefined,
      dutAddress: '127.18.0.1',
      monitorAddress: '127.18.0.2',
      peerAddresses: ['127.18.1.1', '127.18.1.2', '127.18.1.3'],
      peerNextHops: ['198.18.1.1', '198.18.1.2', '198.18.1.3'],
    });
    expect(t.bgpPort).toBeGreaterThan(1024);
    await t.delete();
  });
});

describe.skipIf(!netns)('network namespace topology', () => {
  it('joins peers and dut namespaces by a veth pair with the planned addresses; delete() removes all', async () => {
    const t = await createNetnsTopology({ peers: 2, runTag: 'netns-test' });
    try {
      expect(t.namespaces?.dut).toMatch(/^nsc-[a-z0-9]{6}-dut$/);
      expect(await namespaces()).toEqual(expect.arrayContaining([t.namespaces!.dut, t.namespaces!.peers]));
      const dutAddrs = await t.dutHost.exec('ip -o -4 addr show');
      expect(dutAddrs.stdout).toMatch(new RegExp(`nsc-${t.id}-d\\s+inet 198\\.18\\.0\\.1/16`));
      const peerAddrs = (await t.peersHost.exec('ip -o -4 addr show')).stdout;
      for (const a of ['198.18.0.2', '198.18.1.1', '198.18.1.2']) expect(peerAddrs).toContain(`inet ${a}/16`);
      // The daemon's address is reached over the veth (the daemon tests carry BGP over it).
      expect((await t.peersHost.exec('ip route get 198.18.0.1')).stdout).toContain(`dev nsc-${t.id}-p`);
      expect(t.bgpPort).toBe(179);
    } finally {
      await t.delete();
    }
    const left = await namespaces();
    expect(left).not.toContain(t.namespaces!.dut);
    expect(left).not.toContain(t.namespaces!.peers);
    expect((await liveKeeperIds(DAEMON_NAMESPACE_PREFIX)).has(t.id)).toBe(false);
  });

  it('the keeper deletes the namespaces after SIGKILL of the Node process that made them', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => /^topology /m.test(out), POLL).toBe(true);
    const [, id, dut, peers] = /^topology (\S+) (\S+) (\S+)$/m.exec(out)!;
    expect(await namespaces()).toEqual(expect.arrayContaining([dut, peers]));
    expect((await liveKeeperIds(DAEMON_NAMESPACE_PREFIX)).has(id!)).toBe(true);

    child.kill('SIGKILL');
    await expect
      .poll(async () => (await namespaces()).filter((n) => n === dut || n === peers), POLL)
      .toEqual([]);
    await expect.poll(async () => (await liveKeeperIds(DAEMON_NAMESPACE_PREFIX)).has(id!), POLL).toBe(false);
  });

  it('the reaper deletes nsc- namespaces without a keeper and spares a live topology', async () => {
    const live = await createNetnsTopology({ peers: 1, runTag: 'reaper-test' });
    const orphan = `nsc-zz${process.pid.toString(36).slice(-4).padStart(4, '0')}-dut`;
    try {
      expect((await root.exec(`ip netns add ${orphan}`)).code).toBe(0);
      const reaped = await reapLeftoverNamespaces(root, DAEMON_NAMESPACE_PREFIX);
      expect(reaped).toContain(orphan);
      expect(reaped).not.toContain(live.namespaces!.dut);
      const left = await namespaces();
      expect(left).not.toContain(orphan);
      expect(left).toEqual(expect.arrayContaining([live.namespaces!.dut, live.namespaces!.peers]));
    } finally {
      await root.exec(`ip netns del ${orphan} 2>/dev/null`);
      await live.delete();
    }
  });
});

describe.skipIf(netns)('network namespace topology without root', () => {
  it('fails with a message that says root is needed and names the loopback topology', async () => {
    await expect(createNetnsTopology({ peers: 1, runTag: 'nonroot' })).rejects.toThrow(
      /needs root.*loopback topology/,
    );
  });
});
