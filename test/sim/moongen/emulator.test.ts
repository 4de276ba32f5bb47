import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { prepareMoonGenSimDir, setMoonGenSimDut } from '../../../sim/moongen/base-dir.ts';
import { vsperfConfig, writeVsperfConfig } from '../../../lib/trafficgen/moongen/config-writer.ts';
import { parseMoonGenLog } from '../../../lib/trafficgen/moongen/log-parser.ts';
import { trafficSpec } from '../../../lib/trafficgen/traffic.ts';

let base: string;
const run = (env: Record<string, string> = {}) =>
  execa('./build/MoonGen', ['examples/opnfv-vsperf.lua'], { cwd: base, env, reject: false, timeout: 20_000 });

const config = (
  over: Partial<Parameters<typeof vsperfConfig>[1]> = {},
  traffic = trafficSpec({ bidir: true }),
) =>
  writeFile(
    join(base, 'opnfv-vsperf-cfg.lua'),
    writeVsperfConfig(
      vsperfConfig(traffic, {
        ports: [0, 1],
        linkGbps: 10,
        oneShot: false,
        searchRunTimeS: 60,
        validationRunTimeS: 30,
        acceptableLossPct: 0,
        rateGranularityMpps: 0.1,
        ...over,
      }),
    ),
  );

beforeAll(async () => {
  base = await prepareMoonGenSimDir(await mkdtemp(join(tmpdir(), 'moongen-sim-')), {
    preset: 'vswitch-10g',
    timeScale: 0.0005,
  });
});
afterAll(async () => rm(base, { recursive: true, force: true }));

describe('MoonGen emulator', () => {
  it("runs the script's own binary search and reports the validated rate in the real log format", async () => {
    await config();
    const r = await run();
    expect(r.exitCode).toBe(0);
    const log = parseMoonGenLog(r.stdout, 'emulator stdout');
    expect(r.stdout).toMatch(
      /^\[Device: id=0\] TX: \d+\.\d\d Mpps, \d+ Mbit\/s \(\d+ Mbit\/s with framing\)$/m,
    );
    expect(log.parameters).toMatchObject({
      frameSize: 64,
      runBidirec: true,
      searchRunTime: 60,
      validationRunTime: 30,
    });
    expect(log.directions.map((d) => `${d.from}->${d.to}`)).toEqual(['0->1', '1->0']);
    // vswitch-10g forwards 10 Mpps at 64 B: the validated rate is within 2 granularities below it.
    const rate = log.total.txMpps! / 2;
    expect(rate).toBeLessThanOrEqual(10.001);
    expect(rate).toBeGreaterThan(9.8);
    expect(log.total.lossFrames).toBe(0);
    expect(log.trials[0]).toMatchObject({ rateMpps: 14.88, passed: false });
    expect(log.trials.at(-1)).toMatchObject({ finalValidation: true, passed: true });
  });

  it('runs one trial at startRate when oneShot is set, and a lossy DUT from the DUT file loses frames', async () => {
    await setMoonGenSimDut(base, { preset: 'lossy', timeScale: 0.0005 });
    await config({ oneShot: true, startRateMpps: 2, acceptableLossPct: 100 });
    const r = await run();
    const log = parseMoonGenLog(r.stdout);
    expect(log.trials).toHaveLength(1);
    expect(log.total.txFrames).toBe(2 * 2e6 * 30);
    expect(log.total.lossFrames).toBeGreaterThan(0);
    expect(log.total.lossPct).toBeGreaterThan(0.004);
    await setMoonGenSimDut(base, { preset: 'vswitch-10g', timeScale: 0.0005 });
  });

  it('prints no report, only the abort, when even the granularity rate fails', async () => {
    await config({ startRateMpps: 0.3, rateGranularityMpps: 0.1 });
    const r = await run({ MOONGEN_SIM_DUT: 'lossy' });
    expect(r.exitCode).toBe(0);
    expect(() => parseMoonGenLog(r.stdout, 'abort.log')).toThrow(
      /abort\.log: no "\[REPORT\].*could not even pass/,
    );
  });

  it('reports the frames sent so far when stopped with TERM during a one-shot run', async () => {
    await config({ oneShot: true, startRateMpps: 1, validationRunTimeS: 3600 });
    const p = execa('./build/MoonGen', ['examples/opnfv-vsperf.lua'], {
      cwd: base,
      reject: false,
      timeout: 20_000,
    });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    // The emulator prints a stats line after each fifth of a trial: stop it after the first.
    await expect.poll(() => out, { timeout: 15_000 }).toContain('[Device: id=0] TX');
    p.kill('SIGTERM');
    const r = await p;
    const log = parseMoonGenLog(r.stdout);
    const fullTrial = 1e6 * 3600;
    expect(log.directions).toHaveLength(2);
    for (const d of log.directions) {
      expect(d.txFrames).toBeGreaterThanOrEqual(fullTrial / 5);
      expect(d.txFrames).toBeLessThan(fullTrial);
    }
  });

  it('writes latency histograms for throughput-latency runs', async () => {
    await config({ oneShot: true, startRateMpps: 5, testType: 'throughput-latency' });
    const r = await run();
    expect(parseMoonGenLog(r.stdout).parameters?.latencyRunTime).toBe(1800);
    const hists = (await readdir(base)).filter((f) => f.startsWith('hist:')).sort();
    expect(hists).toEqual(['hist:0-1.csv', 'hist:1-0.csv']);
    expect(await readFile(join(base, hists[0]!), 'utf8')).toMatch(/^\d+,\d+\n/);
  });

  it("writes trafficgen.lua's histograms (header line, direction and rate in the name) when run as it", async () => {
    await config({ oneShot: true, startRateMpps: 5, testType: 'throughput-latency' });
    const r = await execa('./MoonGen/build/MoonGen', ['trafficgen.lua'], {
      cwd: base,
      reject: false,
      timeout: 20_000,
    });
    expect(r.exitCode).toBe(0);
    const files = (await readdir(base)).filter((f) => f.startsWith('latency:')).sort();
    expect(files).toEqual([
      'latency:histogram_dev:0-1_rate:5.csv',
      'latency:histogram_dev:1-0_rate:5.csv',
      'latency:samples_dev:0-1_rate:5.csv',
      'latency:samples_dev:1-0_rate:5.csv',
    ]);
    const [header, ...rows] = (await readFile(join(base, files[0]!), 'utf8')).trim().split('\n');
    expect(header).toBe('bucket,Dev:0->1 @ 5 Mpps');
    for (const row of rows) expect(row).toMatch(/^\d+,\d+$/);
    // The samples file holds one line per sample of the histogram.
    const samples = (await readFile(join(base, files[2]!), 'utf8')).trim().split('\n');
    expect(samples[0]).toBe('samples,Dev:0->1 @ 5 Mpps');
    const counted = rows.reduce((n, row) => n + Number(row.split(',')[1]), 0);
    expect(samples).toHaveLength(counted + 1);
  });

  it('logs what the script logs for a config with a Lua syntax error or without a VSPERF call', async () => {
    await writeFile(join(base, 'opnfv-vsperf-cfg.lua'), 'VSPERF {\n  frameSize = 64\n  ports = {0,1}\n}\n');
    const bad = await run();
    expect(bad.exitCode).toBe(0);
    expect(bad.stdout).toContain(
      "[ERROR] Could not load DPDK config: opnfv-vsperf-cfg.lua:3: '}' expected near 'ports'",
    );
    await writeFile(join(base, 'opnfv-vsperf-cfg.lua'), '-- settings go here\n');
    const none = await run();
    expect(none.stdout).toContain('[ERROR] Config file does not contain VSPERF statement');
    expect(none.stdout).not.toContain('Testing');
  });

  it('fails like MoonGen when the script is missing and names a bad config key', async () => {
    const missing = await execa('./build/MoonGen', ['examples/nope.lua'], { cwd: base, reject: false });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot open examples\/nope\.lua/);
    await writeFile(join(base, 'opnfv-vsperf-cfg.lua'), 'VSPERF { ports = {0} }');
    const bad = await run();
    expect(bad.stderr).toMatch(/opnfv-vsperf-cfg\.lua: ports: expected pairs of port numbers/);
  });
});
