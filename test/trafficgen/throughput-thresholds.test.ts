import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { registerThresholdMatchers } from '../../lib/thresholds/matchers.ts';
import { MoonGen } from '../../lib/trafficgen/moongen/moongen.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';
import { prepareMoonGenSimDir } from '../../sim/moongen/base-dir.ts';

registerThresholdMatchers();

describe('throughput thresholds against a lossy DUT model', () => {
  let base: string;
  let host: LocalHost;
  let mg: MoonGen;
  beforeAll(async () => {
    base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-lossy-')), {
      preset: 'lossy',
      timeScale: 0.0005,
    });
    host = new LocalHost({ name: 'tg-lossy', runTag: `lossy-${process.pid}` });
    mg = new MoonGen(host, { baseDir: base, timeoutSlackSeconds: 30 });
    await mg.connect();
  });
  afterAll(async () => {
    await host.close();
    await rm(base, { recursive: true, force: true });
  });

  it('fails the frame-loss threshold of the continuous suite with a message naming value and limit', async () => {
    const r = await mg.sendContTraffic(
      trafficSpec({ frameRatePct: 50, bidir: true, l2: { frameSize: 512 } }),
      { durationS: 60 },
    );
    expect(r.lossPct).toBeGreaterThan(0.001);
    let message = '';
    try {
      expect(r.lossPct).toMeetThreshold('<= 0.001%');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^value: measured \d+\.\d+% is not <= 0\.001%/);
  });

  it('finds no zero-loss throughput: the throughput suite fails instead of reporting zeros', async () => {
    const r = await mg.rfc2544Throughput(trafficSpec({ l2: { frameSize: 64 } }), {
      durationS: 60,
      search: 'multi-goal',
      relativeWidth: 0.02,
    });
    expect(r.throughputMpps).toBeNull();
    expect(r.result).toBeNull();
    expect(Number.isNaN(r.vsperf.throughput_rx_fps)).toBe(true);
    // PDR (loss <= 0.5 %) still exists on this DUT: the multi-goal search reports it.
    expect(r.goals![1]!.lowerMpps).toBeGreaterThan(9);
  });
});
