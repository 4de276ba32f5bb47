import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { readVsperfConfig } from '../../lib/trafficgen/moongen/lua-table-reader.ts';
import { MoonGen } from '../../lib/trafficgen/moongen/moongen.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';

/**
 * A burst on real hardware: trafficgen.lua sends for a time, so the frames counted differ from the
 * frames asked for. The "MoonGen" here prints a captured-style report of such a run (1000 frames more
 * than asked in one direction, 250 fewer in the other).
 */
const REPORT = `[INFO]  reading [opnfv-vsperf-cfg.lua]
Running single throughput test
Testing 14.88 Mfps
Testing 14.88 Mfps
[PARAMETERS] startRate: 14.880952 nrFlows: 256 frameSize: 64 runBidirec: true searchRunTime: 0 validationRunTime: 0 acceptableLossPct: 100.000000 ports: 1,2
[REPORT]Device 0->1: Tx frames: 1001000 Rx Frames: 1001000 frame loss: 0, 0.000000% Rx Mpps: 14.880000
[REPORT]Device 1->0: Tx frames: 999750 Rx Frames: 999750 frame loss: 0, 0.000000% Rx Mpps: 14.880000
[REPORT]      total: Tx frames: 2000750 Rx Frames: 2000750 frame loss: 0, 0.000000% Tx Mpps: 29.760000 Rx Mpps: 29.760000
`;

let base: string;
let host: LocalHost;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'moongen-burst-'));
  await mkdir(join(base, 'MoonGen', 'build'), { recursive: true });
  await writeFile(join(base, 'report.txt'), REPORT);
  await writeFile(join(base, 'trafficgen.lua'), '-- stand-in\n');
  const bin = join(base, 'MoonGen', 'build', 'MoonGen');
  await writeFile(bin, '#!/bin/sh\ncat report.txt\n');
  await chmod(bin, 0o755);
  host = new LocalHost({ name: 'tg1', runTag: `moongen-burst-${process.pid}` });
});
afterAll(async () => {
  await host.close();
  await rm(base, { recursive: true, force: true });
});

describe('MoonGen sendBurstTraffic', () => {
  it('sends for frames / rate seconds and says in the result that the count was not exact', async () => {
    const mg = new MoonGen(host, {
      baseDir: base,
      binary: 'MoonGen/build/MoonGen',
      script: 'trafficgen.lua',
    });
    await mg.connect();
    const r = await mg.sendBurstTraffic(trafficSpec({ bidir: true }), { frames: 1_000_000 });
    // The config asks for a one-shot trial as long as the frames take at line rate.
    const cfg = readVsperfConfig(await readFile(join(base, 'opnfv-vsperf-cfg.lua'), 'utf8'));
    const seconds = 1_000_000 / 14_880_952.380952;
    expect(cfg.oneShot).toBe(true);
    expect(cfg.validationRunTime).toBeCloseTo(seconds, 9);
    expect(r.burstDurationS).toBeCloseTo(seconds, 9);
    expect(r.requestedFrames).toBe(2_000_000);
    expect(r.txFrames).toBe(2_000_750);
    expect(r.notes).toEqual([
      "MoonGen's trafficgen.lua has no frame-count option: the burst was timed (0.0672 s at 14.881 Mpps " +
        'per direction), not counted; 2000750 frames sent for 2000000 requested (+750)',
    ]);
  });

  it('refuses a frame count that is not a positive integer', async () => {
    const mg = new MoonGen(host, {
      baseDir: base,
      binary: 'MoonGen/build/MoonGen',
      script: 'trafficgen.lua',
    });
    await expect(mg.sendBurstTraffic(trafficSpec(), { frames: 1.5 })).rejects.toThrow(
      'MoonGen@tg1: burst frames: expected a positive integer, found 1.5',
    );
  });
});
