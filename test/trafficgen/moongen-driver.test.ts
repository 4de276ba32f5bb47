import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { SshHost } from '../../lib/hosts/ssh-host.ts';
import { MoonGen } from '../../lib/trafficgen/moongen/moongen.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';
import { prepareMoonGenSimDir, setMoonGenSimDut } from '../../sim/moongen/base-dir.ts';
import { sshHostOptions, startSshd, type Sshd } from '../support/sshd.ts';

const runTag = `moongen-driver-${process.pid}`;
const FAST = { timeScale: 0.0005 };

describe('MoonGen driver on a local host', () => {
  let base: string;
  let host: LocalHost;
  let mg: MoonGen;
  beforeAll(async () => {
    base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-drv-')), {
      preset: 'vswitch-10g',
      ...FAST,
    });
    host = new LocalHost({ name: 'tg1', runTag });
    mg = new MoonGen(host, { baseDir: base, timeoutSlackSeconds: 30 });
    await mg.connect();
  });
  afterAll(async () => {
    await mg.disconnect();
    await host.close();
    await rm(base, { recursive: true, force: true });
  });

  it('refuses to connect when the script is missing, naming host and file', async () => {
    const bad = new MoonGen(host, { baseDir: base, script: 'examples/missing.lua' });
    await expect(bad.connect()).rejects.toThrow(
      `MoonGen@tg1: MoonGen script tg1:${base}/examples/missing.lua not found`,
    );
  });

  it("runs the script's own search (vsperf's way) and reports rates and the trial trace", async () => {
    const r = await mg.rfc2544Throughput(trafficSpec({ l2: { frameSize: 64 } }), {
      durationS: 60,
      granularityMpps: 0.1,
    });
    expect(r.search).toBe('moongen');
    expect(r.throughputMpps).toBeGreaterThan(9.8);
    expect(r.throughputMpps).toBeLessThanOrEqual(10.001);
    expect(r.result!.lossFrames).toBe(0);
    expect(r.vsperf.throughput_rx_percent).toBeCloseTo((100 * r.throughputMpps!) / 14.880952, 3);
    expect(r.trials.length).toBeGreaterThan(5);
    expect(r.trials.at(-1)).toMatchObject({ label: 'validation', passed: true });
  });

  it('runs the multi-goal search trial by trial over one-shot MoonGen runs', async () => {
    const seen: number[] = [];
    const r = await mg.rfc2544Throughput(trafficSpec({ l2: { frameSize: 256 }, bidir: true }), {
      durationS: 60,
      search: 'multi-goal',
      relativeWidth: 0.01,
      onTrial: (t) => seen.push(t.rateMpps),
    });
    // vswitch-10g is limited to 9.5 Gbit/s: 9.5e3 / ((256 + 20) * 8) Mpps.
    const capacity = 9.5e3 / (276 * 8);
    expect(r.throughputMpps).toBeLessThanOrEqual(capacity * 1.0001);
    expect(r.throughputMpps).toBeGreaterThan(capacity * 0.98);
    expect(r.goals!.map((g) => g.goal.name)).toEqual(['NDR', 'PDR']);
    expect(seen).toEqual(r.trials.map((t) => t.rateMpps));
    expect(r.result!.streams).toBe(2);
  });

  it('sends continuous traffic with latency, a burst, and start/stop continuous traffic', async () => {
    const cont = await mg.sendContTraffic(trafficSpec({ frameRatePct: 50, l2: { frameSize: 512 } }), {
      durationS: 10,
      latency: true,
    });
    expect(cont.txPctLineRate).toBeCloseTo(50, 3);
    expect(cont.latencyNs!.min).toBeGreaterThan(0);
    expect(cont.latencyNs!.max).toBeGreaterThanOrEqual(cont.latencyNs!.avg);
    const burst = await mg.sendBurstTraffic(trafficSpec({ frameRatePct: 10 }), { frames: 1_000_000 });
    expect(burst.txFrames).toBe(1_000_000);
    // The scripts take run times, not frame counts: the result says the burst was timed.
    expect(burst.requestedFrames).toBe(1_000_000);
    expect(burst.burstDurationS).toBeCloseTo(1_000_000 / (0.1 * 14_880_952.38), 6);
    expect(burst.notes).toEqual([
      "MoonGen's examples/opnfv-vsperf.lua has no frame-count option: the burst was timed " +
        '(0.672 s at 1.4881 Mpps per direction), not counted; 1000000 frames sent for 1000000 requested',
    ]);
    await mg.startContTraffic(trafficSpec({ frameRatePct: 20 }));
    // Stopped before it starts sending, a trial sends nothing: wait until the script says it is sending.
    const log = join(base, 'moongen_log.txt');
    await expect
      .poll(() => readFile(log, 'utf8').catch(() => ''), { timeout: 10_000, interval: 20 })
      .toMatch(/^Testing [\d.]+ Mfps$/m);
    const stopped = await mg.stopContTraffic();
    expect(stopped.txFrames).toBeGreaterThan(0);
    expect(stopped.txPctLineRate).toBeCloseTo(20, 1);
  });

  it('finds the longest lossless back-to-back burst above capacity', async () => {
    const b = await mg.rfc2544BackToBack(trafficSpec({ l2: { frameSize: 64 } }), { durationS: 2 });
    // 4096 frames of buffer, 14.88 Mpps offered vs 10 Mpps forwarded: ~12.5k frames fit in a lossless burst.
    expect(b.b2bLossFrames).toBeGreaterThan(0);
    expect(b.b2bFrames).toBeGreaterThan(1000);
    expect(b.b2bFrames).toBeLessThan(200_000);
    expect(b.vsperf.b2b_frames).toBe(b.b2bFrames);
  });

  it('turns a lossy DUT into a failed search, and a log without report into an error naming the file', async () => {
    await setMoonGenSimDut(base, { preset: 'lossy', ...FAST });
    mg.startRfc2544Throughput(trafficSpec(), { durationS: 60, granularityMpps: 2 });
    await expect(mg.waitRfc2544Throughput()).rejects.toThrow(
      new RegExp(`tg1:${base}/moongen_log\\.txt: no "\\[REPORT\\].*could not even pass`),
    );
    await setMoonGenSimDut(base, { preset: 'vswitch-10g', ...FAST });
  });
});

describe('MoonGen driver over SSH (real sshd on loopback)', () => {
  let sshd: Sshd;
  let base: string;
  let host: SshHost;
  beforeAll(async () => {
    sshd = await startSshd();
    base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-ssh-')), {
      preset: 'soft-knee',
      ...FAST,
    });
    host = new SshHost({ ...sshHostOptions(sshd, 'moongen-ssh'), runTag });
  });
  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('checks, uploads the config, runs MoonGen, fetches and parses the log', async () => {
    const mg = new MoonGen(host, { baseDir: base, timeoutSlackSeconds: 30 });
    await mg.connect();
    const r = await mg.rfc2544Throughput(
      trafficSpec({ l2: { frameSize: 64, srcMac: ['02:00:00:00:00:01', '02:00:00:00:00:02'] } }),
      {
        durationS: 60,
        search: 'binary',
        granularityMpps: 0.1,
      },
    );
    // soft-knee: loss starts at 95 % of 8 Mpps.
    expect(r.throughputMpps).toBeGreaterThan(7.6 - 0.25);
    expect(r.throughputMpps).toBeLessThanOrEqual(7.6 * 1.0001);
    expect(r.result!.lossFrames).toBe(0);
    const cfg = (await host.readFile(`${base}/opnfv-vsperf-cfg.lua`)).toString();
    expect(cfg).toContain('srcMacs = {"02:00:00:00:00:01", "02:00:00:00:00:02"}');
    await mg.disconnect();
  });
});
