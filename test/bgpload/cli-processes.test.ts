/**
 * `netscale bgp-load` and `netscale bgp-monitor` as real processes around BIRD 2 on loopback,
 * driven only through their JSON-lines protocol, as a fixture in another namespace would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BgpLoadSpecInput, BgpMonitorSpecInput } from '../../lib/bgpload/spec.ts';
import { monotonicMs } from '../../lib/clock.ts';
import { BIRD_ADDRESS, BIRD_AS, BirdDut } from './bird-dut.ts';
import { JsonLineProcess } from './json-line-process.ts';

const peers = [1, 2].map((i) => ({ name: `gen${i}`, address: `127.0.4.${i}`, asn: 65010 + i }));
const monitorPeer = { name: 'monitor', address: '127.0.4.100', asn: 65535 };

describe('bgp-load and bgp-monitor processes', () => {
  const bird = new BirdDut();
  let dir: string;
  const procs: JsonLineProcess[] = [];

  beforeAll(async () => {
    await bird.start(peers, monitorPeer);
    dir = await mkdtemp(join(tmpdir(), 'bgpload-cli-'));
  });

  afterAll(async () => {
    for (const p of procs) p.kill();
    await bird.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function spec(name: string, content: unknown): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(content));
    return file;
  }

  it('announce, records, withdraw and quit over stdin; the monitor sees 2000 then 0', async () => {
    const dut = { address: BIRD_ADDRESS, port: bird.port, as: BIRD_AS };
    const monitorSpec: BgpMonitorSpecInput = {
      dut,
      monitor: { address: monitorPeer.address, as: monitorPeer.asn },
      expect: 2000,
    };
    const loadSpec: BgpLoadSpecInput = {
      dut,
      peers: { count: 2, firstAddress: '127.0.4.1', firstAs: 65011 },
      prefixes: { count: 1000, base: '10.128.0.0' },
    };
    const beforeStart = monotonicMs();
    const monitor = new JsonLineProcess(['bgp-monitor', '--spec', await spec('monitor.json', monitorSpec)]);
    const load = new JsonLineProcess(['bgp-load', '--spec', await spec('load.json', loadSpec)]);
    procs.push(monitor, load);

    const ready = await load.next((e) => e.event === 'ready');
    expect(ready).toMatchObject({ peers: 2 });
    await monitor.next((e) => e.event === 'ready');
    const established = load.events.filter((e) => e.event === 'established');
    expect(established.map((e) => e.peer).sort()).toEqual(['127.0.4.1', '127.0.4.2']);
    // `t` is the monotonic clock of this host: comparable with ours.
    expect(established[0]!.t).toBeGreaterThan(beforeStart);

    load.send('announce');
    const done = await load.next((e) => e.event === 'done' && e.cmd === 'announce');
    const full = await monitor.next((e) => e.event === 'count' && e.count === 2000);
    expect(full.t).toBeGreaterThan(done.t - (done.ms as number));

    load.send('records');
    const records = (await load.next((e) => e.event === 'records')).records as Array<Record<string, number>>;
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.prefixesAnnounced).toBe(1000);
      expect(r.lastUpdateWritten).toBeLessThan(full.t);
    }

    load.send('flap 0');
    const error = await load.next((e) => e.event === 'error');
    expect(error.message).toBe('flap: expected 1..2 peers, found 0');

    // A probe answers with its own event, failed or not: an 'error' would end the command awaited.
    const beforeProbe = monotonicMs();
    load.send('probe 127.0.4.1 192.0.2.1/32 7');
    const probe = await load.next((e) => e.event === 'probe' && e.seq === 7);
    expect(probe.failed).toBeUndefined();
    expect(probe.t).toBeGreaterThan(beforeProbe);
    load.send('probe 127.0.9.9 192.0.2.1/32 8');
    expect(await load.next((e) => e.event === 'probe' && e.seq === 8)).toMatchObject({
      peer: '127.0.9.9',
      failed: 'probe: no peer 127.0.9.9',
    });

    load.send('withdraw');
    await load.next((e) => e.event === 'done' && e.cmd === 'withdraw');
    const empty = await monitor.next((e) => e.event === 'count' && e.count === 0);
    expect(empty.t).toBeGreaterThan(full.t);

    load.send('quit');
    expect(await load.exited).toBe(0);
    expect(load.events.at(-1)?.event).toBe('exit');
    monitor.endInput();
    expect(await monitor.exited).toBe(0);
    const counts = monitor.events.filter((e) => e.event === 'count').map((e) => e.t);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(load.strayLines.concat(monitor.strayLines)).toEqual([]);
  });

  it('a spec error names the file and the key and exits 1', async () => {
    const file = await spec('bad.json', {
      dut: { address: 'nowhere' },
      peers: { count: 1, firstAddress: '127.0.4.9' },
      prefixes: { count: 1, colour: 'red' },
    });
    const load = new JsonLineProcess(['bgp-load', '--spec', file]);
    procs.push(load);
    expect(await load.exited).toBe(1);
    const text = load.stderr.join('\n');
    expect(text).toContain(`${file}: dut.address: expected an IPv4 or IPv6 address, found "nowhere"`);
    expect(text).toContain(`${file}: prefixes.colour: unknown key "colour"`);
  });
});
