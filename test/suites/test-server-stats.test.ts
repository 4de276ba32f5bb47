/**
 * Test-server sampling and the device's before/after record on the embedded lab, through the session
 * the suites use. Truth the measuring side does not produce: the pid each bgp_stress_test emulator prints
 * in its own log lines ("[Thread N, Pid N]") and what /proc says that pid is while it runs, the embedded
 * control node's pid as the lab started it, and /proc/meminfo of this machine (every embedded test
 * server is this machine).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DutStats } from '../../lib/dut/dut.ts';
import { readSeries } from '../../lib/measure/series.ts';
import { runEmbeddedScenario } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-test-servers-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

const EMULATOR_VERSION = 'contrail-control (netscale embedded lab emulator)';

interface ArchivedScenario {
  scenario: string;
  dutVersion?: string;
  dutStats?: { before?: DutStats; after?: DutStats };
  iterations: Array<{ series: Record<string, string>; measurements: Record<string, { value: number }> }>;
}

/** Pids the emulators printed in their own log lines so far. */
function pidsInLogs(logDir: string): Set<number> {
  const pids = new Set<number>();
  for (const f of readdirSync(logDir).filter((n) => n.startsWith('bgp_stress_test-'))) {
    for (const m of readFileSync(join(logDir, f), 'utf8').matchAll(/\[Thread \d+, Pid (\d+)\]/g))
      pids.add(Number(m[1]));
  }
  return pids;
}

const memTotal = () => Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;

describe('test servers and the control node before and after', { timeout: 90_000 }, () => {
  it('archives host and bgp_stress_test series, fails thresholds on them by name, records stats and version', async () => {
    const runId = `test-servers-${process.pid}-${Date.now()}`;
    const logDir = join(reportsRoot, 'runs', runId, 'logs', 'route-scale');
    let controlNodePid: number | undefined;
    const cmdlines = new Map<number, string>();
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/route-scale.yaml',
      env: {
        NETSCALE_ITERATIONS: '1x2x5',
        NETSCALE_THRESHOLD_TEST_SERVER_CPU_PEAK: '<= 0.001%',
        NETSCALE_SCENARIO_OVERRIDES: JSON.stringify({ thresholds: { test_server_mem_peak: '<= 1KB' } }),
      },
      runId,
      reportsRoot,
      beforeRun: (lab) => {
        controlNodePid = lab.embedded?.pid;
        return Promise.resolve();
      },
      // While the emulators run: what /proc says the pids of their own log lines are.
      afterPhase: (name) => {
        if (name.startsWith('add'))
          for (const pid of pidsInLogs(logDir))
            cmdlines.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
        return Promise.resolve();
      },
    });
    expect(out.error).toBeUndefined();
    expect(out.teardownErrors).toEqual([]);

    // Thresholds on the new metrics, from the env and from the scenario, fail naming their metric.
    expect([...out.result!.failures].sort()).toEqual([
      expect.stringMatching(
        /^iteration 1: test_server_cpu_peak: measured [\d.]+ ?%( \(±[\d.]+ ?%\))? is not <= 0\.001 ?%$/,
      ),
      expect.stringMatching(
        /^iteration 1: test_server_mem_peak: measured [\d.]+ [KMG]B( \(±[\d.]+ [KMG]?B\))? is not <= 1 KB$/,
      ),
    ]);

    const results = JSON.parse(readFileSync(join(out.runDir, 'results.json'), 'utf8')) as {
      scenarios: ArchivedScenario[];
    };
    const sc = results.scenarios.find((s) => s.scenario === 'route-scale')!;
    const [it1] = sc.iterations;
    const cores = cpus().length;
    const read = async (name: string) => (await readSeries(join(out.runDir, it1!.series[name]!))).points;

    // Host series of the one test server (this machine): CPU in % of one core, memory used in bytes.
    const hostCpu = await read('test_server.local.cpu');
    const memUsed = await read('test_server.local.mem_used');
    expect(hostCpu.length).toBeGreaterThanOrEqual(2);
    for (const p of hostCpu) expect(p.v).toBeGreaterThanOrEqual(0);
    // A tick per core per 250 ms interval of slack over all cores busy.
    for (const p of hostCpu) expect(p.v).toBeLessThanOrEqual(cores * 100 + cores * 4);
    for (const p of memUsed) expect(p.v).toBeGreaterThan(0);
    for (const p of memUsed) expect(p.v).toBeLessThanOrEqual(memTotal());
    expect(it1!.measurements.test_server_cpu_peak!.value).toBe(Math.max(...hostCpu.map((p) => p.v)));
    expect(it1!.measurements.test_server_mem_peak!.value).toBe(Math.max(...memUsed.map((p) => p.v)));
    expect(it1!.measurements.rss_at_cpu_peak!.value).toBeGreaterThan(1024 * 1024);

    // Per-process series are for exactly the pids the emulators reported, and /proc said those were them.
    const procSeries = Object.keys(it1!.series).filter((n) => /^test_server\.local\.proc\.\d+\.cpu$/.test(n));
    const sampledPids = procSeries.map((n) => Number(n.split('.')[3])).sort();
    const reported = [...pidsInLogs(logDir)].sort();
    expect(reported).toHaveLength(1); // one test server, one iteration
    expect(sampledPids).toEqual(reported);
    expect(cmdlines.get(reported[0]!)).toMatch(/bgp-stress\/main\.ts/);
    const procCpu = await read(procSeries[0]!);
    expect(procCpu.length).toBeGreaterThanOrEqual(2);
    for (const p of procCpu) expect(p.v).toBeGreaterThanOrEqual(0);
    for (const p of procCpu) expect(p.v).toBeLessThanOrEqual(cores * 100 + 4);
    expect(Math.max(...procCpu.map((p) => p.v))).toBeGreaterThan(0);

    // The control node read before the first iteration and after the last, and its version.
    expect(sc.dutVersion).toBe(EMULATOR_VERSION);
    const { before, after } = sc.dutStats!;
    for (const s of [before!, after!]) {
      expect(s.errors).toEqual([]);
      expect(s.version).toBe(EMULATOR_VERSION);
      expect(s.resources!.process.pid).toBe(controlNodePid);
      expect(s.resources!.process.rss).toBeGreaterThan(10 * 1024 * 1024);
      expect(s.resources!.process.cpu).toBeGreaterThanOrEqual(0);
      expect(s.resources!.host.memTotal).toBe(memTotal());
      expect(s.resources!.host.memUsed).toBeLessThan(memTotal());
      expect(s.peersUp).toBe(0);
      expect(s.routes!.prefixes).toBe(0);
    }
    expect(after!.wall).toBeGreaterThan(before!.wall);
    const summary = readFileSync(join(out.runDir, 'results_summary.txt'), 'utf8');
    expect(summary).toContain(`dut version: ${EMULATOR_VERSION}`);
    expect(summary).toMatch(new RegExp(`dut before: .*process ${controlNodePid} cpu [\\d.]+ %`));
    expect(summary).toMatch(/dut after: .*peers up 0; prefixes 0 in \d+ tables/);
  });
});
