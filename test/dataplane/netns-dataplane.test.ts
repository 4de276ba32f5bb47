/**
 * The netns data plane against known truth (root only): a DUT shaped to 200 Mbit/s, found by the RFC 2544
 * search at each frame size; unshaped, the generator's own limit, said so; and no namespace left after the
 * runner is killed.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { shapedFps } from '../../lib/dataplane/framing.ts';
import { NetnsDataplane, shaperSlackBytes } from '../../lib/dataplane/netns-dataplane.ts';
import { L1_OVERHEAD_BYTES } from '../../lib/trafficgen/line-rate.ts';
import { NetnsTrafficGenerator } from '../../lib/dataplane/netns-generator.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';

const root = process.getuid?.() === 0;
const host = new LocalHost({ runTag: `dataplane-test-${process.pid}` });
const WORK = '.netscale/dataplane';
const RELATIVE_WIDTH = 0.005;
const PACING_TOLERANCE_PCT = 1;

async function namespaces(): Promise<string[]> {
  const r = await execa('ip', ['-j', 'netns', 'list'], { reject: false });
  const list = r.stdout.trim() ? (JSON.parse(r.stdout) as Array<{ name: string }>) : [];
  return list.map((n) => n.name);
}

describe.skipIf(!root)('netns data plane shaped to 200 Mbit/s', () => {
  let dp: NetnsDataplane;
  let gen: NetnsTrafficGenerator;
  beforeAll(async () => {
    dp = await NetnsDataplane.create(host, { dut: 'router', rateLimitMbit: 200 });
    gen = new NetnsTrafficGenerator(dp, {
      workDir: WORK,
      linkSpeedMbit: 1000,
      pacingTolerancePct: PACING_TOLERANCE_PCT,
    });
    await gen.connect();
  });
  afterAll(async () => {
    await dp?.destroy();
  });

  // The shaper counts L1 bytes (overhead 24: FCS + preamble + IFG, see lib/dataplane/framing.ts), so the
  // truth is 200e6 / ((size + 20) * 8) frames/s. A 1 s trial may pass up to the shaper's slack (a bucket
  // at the start, a full queue draining at the end: 0.76 %) above it; the search's bracket is 0.5 % wide.
  // The sender may run up to the pacing tolerance (1 %) slow without the trial being judged for it, so
  // the rate asked for may exceed the truth by that much more; the rate the passing trial achieved may not.
  it.each([512, 1518])('finds 200 Mbit/s at %i B within the search precision', async (frameSize) => {
    const traffic = trafficSpec({ l2: { frameSize }, bidir: false });
    const r = await gen.rfc2544Throughput(traffic, {
      durationS: 1,
      search: 'multi-goal',
      relativeWidth: RELATIVE_WIDTH,
    });
    const truth = shapedFps(200, frameSize);
    const found = r.throughputMpps! * 1e6;
    const slack = shaperSlackBytes(200) / ((frameSize + L1_OVERHEAD_BYTES) * truth);
    const pacing = PACING_TOLERANCE_PCT / 100;
    expect(found / truth).toBeGreaterThan(1 - RELATIVE_WIDTH - pacing);
    expect(found / truth).toBeLessThan((1 + RELATIVE_WIDTH + slack) / (1 - pacing));
    const passing = gen.trials.filter(
      (t) =>
        t.frameSize === frameSize &&
        Math.abs(t.offeredFps - found) <= found * 1e-9 &&
        t.directions.every((d) => d.received >= d.judged.tx),
    );
    expect(passing.length, `a passing trial at ${found} fps`).toBeGreaterThan(0);
    for (const d of passing.flatMap((t) => t.directions)) {
      // 0.1 % for the shaper's own timing and the sender's clock (a CI run passed 0.015 % more).
      const shaped = truth * d.elapsedS * 1.001 + shaperSlackBytes(200) / (frameSize + L1_OVERHEAD_BYTES);
      expect(d.received, `frames through the shaper in ${d.elapsedS} s`).toBeLessThanOrEqual(shaped);
    }
    expect(r.vsperf.throughput_rx_mbps).toBeGreaterThan(200 * 0.98);
    expect(r.vsperf.throughput_rx_mbps).toBeLessThan(200 * 1.012);
    // 20 % of the 1 Gbit/s line rate, not 100 %.
    expect(r.vsperf.throughput_rx_percent).toBeLessThan(21);
    expect(r.cappedBy).toBe('line rate');
  });
});

describe.skipIf(!root)('netns data plane unshaped', () => {
  it('reports the generator/veth limit as such', async () => {
    const dp = await NetnsDataplane.create(host, { dut: 'bridge' });
    try {
      const gen = new NetnsTrafficGenerator(dp, {
        workDir: WORK,
        linkSpeedMbit: 100_000,
        maxTrialSeconds: 0.5,
      });
      await gen.connect();
      const r = await gen.rfc2544Throughput(trafficSpec({ l2: { frameSize: 1518 } }), {
        durationS: 0.5,
        search: 'multi-goal',
        relativeWidth: 0.02,
      });
      expect(r.cappedBy).toBe('generator');
      expect(r.maxRateMpps).toBeLessThan(r.lineRateMpps);
      expect(r.notes.join('\n')).toContain('the search offered at most that');
      expect(r.vsperf.min_latency_ns).toBeNaN();
    } finally {
      await dp.destroy();
    }
  });
});

describe.skipIf(!root)('crash safety', () => {
  it('leaves no namespace and no process after SIGKILL of the runner', async () => {
    const child = execa('npx', ['tsx', 'test/dataplane/support/hold-dataplane.ts'], {
      reject: false,
      buffer: false,
    });
    const held = await new Promise<{ pid: number; namespaces: string[] }>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        const line = d.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pid: number; namespaces: string[] });
      });
      void child.then((r) => reject(new Error(`child exited first: ${String(r.stderr)}`)));
    });
    const created = held.namespaces;
    expect(await namespaces()).toEqual(expect.arrayContaining(created));
    // SIGKILL the node process that made the data plane (under npx and tsx, which reap it; the guard also
    // treats an unreaped, zombie parent as gone).
    process.kill(held.pid, 'SIGKILL');
    await expect
      .poll(async () => (await namespaces()).filter((n) => created.includes(n)), { timeout: 15_000 })
      .toEqual([]);
    const left = await execa('pgrep', ['-f', created[0]!.replace(/-gen$/, '')], { reject: false });
    expect(left.stdout.trim()).toBe('');
  }, 60_000);

  it("reaps a crashed run's nsd- namespaces on create, and no other prefix's", async () => {
    const tail = process.pid.toString(36).slice(-4).padStart(4, '0');
    const orphan = `nsd-zz${tail}-gen`;
    const daemonOrphan = `nsc-zz${tail}-dut`;
    let dp: NetnsDataplane | undefined;
    try {
      for (const ns of [orphan, daemonOrphan])
        expect((await execa('ip', ['netns', 'add', ns])).exitCode).toBe(0);
      dp = await NetnsDataplane.create(host, { dut: 'bridge' });
      const left = await namespaces();
      expect(left).not.toContain(orphan);
      expect(left).toContain(daemonOrphan);
      expect(left).toEqual(expect.arrayContaining(Object.values(dp.namespaces)));
    } finally {
      await dp?.destroy();
      for (const ns of [orphan, daemonOrphan]) await execa('ip', ['netns', 'del', ns], { reject: false });
    }
  });
});
