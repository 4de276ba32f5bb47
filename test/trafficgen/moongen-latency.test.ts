import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import {
  latencyHistogramFile,
  latencyOf,
  parseLatencyHistogram,
} from '../../lib/trafficgen/moongen/latency-histogram.ts';
import { MoonGen } from '../../lib/trafficgen/moongen/moongen.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';
import { prepareMoonGenSimDir } from '../../sim/moongen/base-dir.ts';

// opnfv-vsperf.lua: hist:<from>-<to>.csv, "latency,count" lines, no header.
const OLDER_NAME = 'hist:0-1.csv';
const OLDER = '6123,12\n6150,3400\n6200.5,580\n7010,8\n';

// trafficgen.lua: a "bucket,<label>" header, then the same lines.
const NEWER_NAME = 'latency:histogram_dev:1-0_rate:7.44.csv';
const NEWER = 'bucket,Dev:1->0 @ 7.44 Mpps\n10100,1\n10250,998\n12000,1\n';

describe('MoonGen latency histograms', () => {
  it('reads the opnfv-vsperf.lua layout: hist:<a>-<b>.csv without a header', () => {
    const h = parseLatencyHistogram(OLDER, OLDER_NAME);
    expect(h).toMatchObject({ format: 'opnfv-vsperf', from: 0, to: 1, file: OLDER_NAME });
    expect(h.label).toBeUndefined();
    expect(h.buckets).toEqual([
      { ns: 6123, count: 12 },
      { ns: 6150, count: 3400 },
      { ns: 6200.5, count: 580 },
      { ns: 7010, count: 8 },
    ]);
    const l = latencyOf([h], 'run');
    expect(l.min).toBe(6123);
    expect(l.max).toBe(7010);
    expect(l.avg).toBeCloseTo((6123 * 12 + 6150 * 3400 + 6200.5 * 580 + 7010 * 8) / 4000, 9);
  });

  it('reads the trafficgen.lua layout: its name carries the direction and rate, its header the label', () => {
    const h = parseLatencyHistogram(NEWER, `tg1:/opt/moongen/${NEWER_NAME}`);
    expect(h).toMatchObject({ format: 'trafficgen', from: 1, to: 0, rateMpps: 7.44 });
    expect(h.label).toBe('Dev:1->0 @ 7.44 Mpps');
    expect(h.buckets.map((b) => b.ns)).toEqual([10100, 10250, 12000]);
    // The header is not a bucket: min is the first latency, not 0 or NaN.
    expect(latencyOf([h], 'run')).toEqual({
      min: 10100,
      avg: (10100 + 10250 * 998 + 12000) / 1000,
      max: 12000,
    });
    // Both directions of a bidirectional run count, whichever layout each came in.
    const both = latencyOf([h, parseLatencyHistogram(OLDER, OLDER_NAME)], 'run');
    expect(both.min).toBe(6123);
    expect(both.max).toBe(12000);
  });

  it('knows histogram files by name and never takes the raw samples file for one', () => {
    expect(latencyHistogramFile('hist:2-3.csv')).toEqual({ format: 'opnfv-vsperf', from: 2, to: 3 });
    expect(latencyHistogramFile('latency:histogram_dev:0-1_rate:14.880952380952.csv')).toEqual({
      format: 'trafficgen',
      from: 0,
      to: 1,
      rateMpps: 14.880952380952,
    });
    for (const other of ['latency:samples_dev:0-1_rate:7.44.csv', 'moongen_log.txt', 'hist:0-1.csv.bak'])
      expect(latencyHistogramFile(other)).toBeUndefined();
  });

  it('names the file and line of a line that is not "latency,count", and an empty histogram', () => {
    expect(() => parseLatencyHistogram('bucket,x\n100,1\n100;2\n', NEWER_NAME)).toThrow(
      `${NEWER_NAME}:3: expected "<latency ns>,<count>", found "100;2"`,
    );
    expect(() => parseLatencyHistogram('samples,Dev:0->1\n1,100\n', OLDER_NAME)).toThrow(
      `${OLDER_NAME}:1: expected "<latency ns>,<count>" or a "bucket,<label>" header`,
    );
    expect(() => latencyOf([parseLatencyHistogram('bucket,x\n', NEWER_NAME)], 'MoonGen@tg1')).toThrow(
      `MoonGen@tg1: latency histograms ${NEWER_NAME} hold no samples`,
    );
  });
});

describe('MoonGen driver latency with each script (emulated base dir)', () => {
  let base: string;
  let host: LocalHost;
  beforeAll(async () => {
    base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-lat-')), {
      preset: 'vswitch-10g',
      timeScale: 0.0005,
    });
    host = new LocalHost({ name: 'tg1', runTag: `moongen-latency-${process.pid}` });
  });
  afterAll(async () => {
    await host.close();
    await rm(base, { recursive: true, force: true });
  });

  /** min/avg/max recomputed here from the files the script wrote (the emulator's own record). */
  async function latencyOnDisk(match: RegExp): Promise<{ min: number; avg: number; max: number }> {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (const f of (await readdir(base)).filter((x) => match.test(x))) {
      for (const line of (await readFile(join(base, f), 'utf8')).split('\n')) {
        const [a, b] = line.split(',').map(Number);
        if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
        min = Math.min(min, a!);
        max = Math.max(max, a!);
        sum += a! * b!;
        n += b!;
      }
    }
    return { min, avg: sum / n, max };
  }

  it('reads trafficgen.lua histograms (with header) and leaves its samples files alone', async () => {
    // A stale histogram of an earlier run must not count.
    await writeFile(join(base, 'hist:0-1.csv'), '1,1000000\n');
    const mg = new MoonGen(host, {
      baseDir: base,
      binary: 'MoonGen/build/MoonGen',
      script: 'trafficgen.lua',
      timeoutSlackSeconds: 30,
    });
    await mg.connect();
    const r = await mg.sendContTraffic(trafficSpec({ frameRatePct: 50, bidir: true }), {
      durationS: 10,
      latency: true,
    });
    const files = (await readdir(base)).filter((f) => f.startsWith('latency:')).sort();
    expect(files).toEqual([
      'latency:histogram_dev:0-1_rate:7.4404761904762.csv',
      'latency:histogram_dev:1-0_rate:7.4404761904762.csv',
      'latency:samples_dev:0-1_rate:7.4404761904762.csv',
      'latency:samples_dev:1-0_rate:7.4404761904762.csv',
    ]);
    expect(await readFile(join(base, files[0]!), 'utf8')).toMatch(
      /^bucket,Dev:0->1 @ 7\.4404761904762 Mpps\n\d+,\d+\n/,
    );
    expect(await readdir(base)).not.toContain('hist:0-1.csv');
    const disk = await latencyOnDisk(/^latency:histogram_/);
    expect(r.latencyNs!.min).toBe(disk.min);
    expect(r.latencyNs!.max).toBe(disk.max);
    expect(r.latencyNs!.avg).toBeCloseTo(disk.avg, 6);
    expect(r.latencyNs!.min).toBeGreaterThan(1000);
  });

  it('reads opnfv-vsperf.lua histograms', async () => {
    const mg = new MoonGen(host, { baseDir: base, timeoutSlackSeconds: 30 });
    const r = await mg.sendContTraffic(trafficSpec({ frameRatePct: 30 }), { durationS: 10, latency: true });
    expect((await readdir(base)).filter((f) => f.startsWith('hist:'))).toEqual(['hist:0-1.csv']);
    expect((await readdir(base)).filter((f) => f.startsWith('latency:'))).toEqual([]);
    const disk = await latencyOnDisk(/^hist:/);
    expect(r.latencyNs).toMatchObject({ min: disk.min, max: disk.max });
    expect(r.latencyNs!.avg).toBeCloseTo(disk.avg, 6);
  });
});
