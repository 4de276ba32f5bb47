/**
 * The route-scale suite against a lab whose hosts are all `transport: ssh`: a real OpenSSH sshd on
 * loopback (key auth, strict known_hosts) in front of the control-node emulator, standing in for a
 * real control node. The spec runs as a user runs it (`vitest run --project bgp
 * suites/bgp/route-scale.spec.ts` with LAB=<that file>), so the fixtures that drive the embedded lab
 * read the pid file, sample CPU, restart the control node, start bgp_stress_test and ask the router,
 * all over SSH. Checked: the thresholds pass; the archive holds the measurements and a CPU series;
 * bgp_stress_test and the CPU sampler were children of an sshd session of this sshd, not of the
 * runner; the restart and router commands ran; the control node was left alone by the run's reaper;
 * and no process or trigger file of the run is left (the tool removes the trigger it read).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { loadRun } from '../../lib/report/run-archive.ts';
import { startControlNode, type TestControlNode } from '../support/embedded-control-node.ts';
import { isRunning, runningWithEnv } from '../support/proc.ts';
import { startSshd, type Sshd } from '../support/sshd.ts';
import { runSpec } from './support/run-spec.ts';
import { writeSshLabFile, type SshLabFile } from './support/ssh-lab-file.ts';
import { watchTaggedProcesses, type SeenProcess } from './support/tagged-process-watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'netscale-ssh-lab-'));
let sshd: Sshd | undefined;
let cn: TestControlNode | undefined;
let lab: SshLabFile;

beforeAll(async () => {
  sshd = await startSshd();
  const pidFile = join(dir, 'control-node.pid');
  // Not started by the run under test: it carries a tag of its own, which that run must not reap.
  cn = await startControlNode({ runTag: `ssh-lab-cn-${process.pid}`, pidFile, logFile: join(dir, 'cn.log') });
  lab = await writeSshLabFile({ dir, sshd, cn, pidFile, xmppSource: '127.31.0.1' });
});

afterAll(async () => {
  try {
    await cn?.stop();
  } finally {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Position of this test's sshd listener among a process's ancestors, and of the first node above it. */
function underSshd(p: SeenProcess): { listener: number; firstNode: number } {
  return {
    listener: p.ancestors.findIndex((a) => a.comm === 'sshd' && a.cmdline.includes(sshd!.dir)),
    firstNode: p.ancestors.findIndex((a) => a.comm === 'node'),
  };
}

describe('BGP route scale on a lab reached over SSH', () => {
  it(
    'passes its thresholds with every lab command run through sshd, and leaves nothing running',
    { timeout: 120_000 },
    async () => {
      const runId = `ssh-lab-${process.pid}-${Date.now()}`;
      const reportsRoot = join(dir, 'reports');
      const stressWatch = watchTaggedProcesses({ runTag: runId, match: /bgp-stress\/main\.ts/ });
      const samplerWatch = watchTaggedProcesses({
        runTag: runId,
        // The /proc loops themselves, not the guard shells above them (whose arguments hold the same script).
        match: /^\/bin\/sh -c pids='[\d ]*'\n/,
      });
      const run = await runSpec({
        project: 'bgp',
        spec: 'suites/bgp/route-scale.spec.ts',
        timeoutMs: 90_000,
        env: {
          LAB: lab.file,
          NETSCALE_RUN_ID: runId,
          NETSCALE_REPORTS_DIR: reportsRoot,
          NETSCALE_ITERATIONS: '1x3x20',
          NETSCALE_SCENARIO_OVERRIDES: JSON.stringify({
            router: { check: true },
            controlNode: { restartBefore: true },
            cpu: { intervalMs: 100 },
            bgpStress: {
              timeouts: {
                peersUpSeconds: 15,
                routesAddSeconds: 15,
                routesDeleteSeconds: 15,
                exitSeconds: 10,
              },
            },
          }),
        },
      });
      const stress = stressWatch.stop();
      const samplers = samplerWatch.stop();
      expect(run.timedOut, run.output).toBe(false);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/Tests\s+1 passed/);

      // The archive: measured figures with their resolution, every verdict a pass.
      const runDir = join(reportsRoot, 'runs', runId);
      const archived = await loadRun(runDir);
      const sc = archived.scenarios.find((s) => s.scenario === 'route-scale');
      expect(sc?.iterations).toHaveLength(1);
      const it1 = sc!.iterations[0]!;
      expect(it1.params).toMatchObject({ instances: 1, agents: 3, routes: 20 });
      expect(it1.expected).toMatchObject({ peers: 3, prefixes: 60 });
      for (const metric of ['peers_up_time', 'prefix_add_time', 'prefix_delete_time']) {
        expect(it1.measurements[metric]?.value, metric).toBeGreaterThan(0);
        expect(it1.measurements[metric]?.resolution, metric).toBeGreaterThan(0);
      }
      expect(it1.measurements.rss_peak?.value).toBeGreaterThan(1024 * 1024);
      expect(it1.verdicts.map((v) => v.metric)).toEqual(
        expect.arrayContaining(['prefix_add_time', 'prefix_delete_time']),
      );
      expect(it1.verdicts.filter((v) => !v.pass)).toEqual([]);
      expect(readFileSync(join(runDir, 'results_summary.txt'), 'utf8')).toMatch(/60/);

      // CPU of the control node, sampled by one loop started over SSH on its host (the before/after
      // readings are two-sample execs of the same script); bgp_stress_test's own pid sampled on the test server.
      const cpu = readFileSync(join(runDir, it1.series.cpu!), 'utf8').trim().split('\n').slice(1);
      expect(cpu.length).toBeGreaterThanOrEqual(10);
      const streaming = samplers.filter((p) => !/\[ \$i -lt 2 \]/.test(p.cmdline));
      expect(streaming.filter((p) => p.cmdline.includes(`pids='${cn!.pid}'`))).toHaveLength(1);
      expect(streaming.filter((p) => p.cmdline.includes(`pids='${stress[0]?.pid}'`))).toHaveLength(1);
      // "ts": the test server's host in the lab file.
      expect(it1.series[`test_server.ts.proc.${stress[0]?.pid}.cpu`]).toBeDefined();

      // bgp_stress_test ran on the test server as a child of an sshd session, with the lab's agent source.
      expect(stress).toHaveLength(1);
      expect(stress[0]!.cmdline).toContain('--xmpp-source=127.31.0.1');
      for (const p of [...stress, ...samplers]) {
        const { listener, firstNode } = underSshd(p);
        expect(listener, JSON.stringify(p.ancestors.slice(0, 4))).toBeGreaterThan(0);
        expect(p.ancestors[listener - 1]?.comm).toBe('sshd');
        // The runner (node) is above sshd, not between sshd and the process.
        expect(firstNode).toBeGreaterThan(listener);
      }

      // The router was asked over SSH after bring-up and after the add.
      const calls = readFileSync(lab.routerCallsLog, 'utf8').trim().split('\n');
      expect(calls.length).toBe(2);
      for (const c of calls) expect(c).toMatch(new RegExp(`^${runId} show-bgp-neighb sh sshd sshd `));

      // The restart command ran on the control node's host; routes went through it.
      const events = (await (await fetch(`${cn!.endpoints.introspect}/sim/events`)).json()) as {
        restarts: number;
        routesInstalled: number;
      };
      expect(events.restarts).toBe(1);
      expect(events.routesInstalled).toBeGreaterThanOrEqual(60);

      // Nothing of the run is left; the control node, not the run's, is still up.
      await vi.waitFor(() => expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]), {
        timeout: 5000,
        interval: 50,
      });
      expect(isRunning(cn!.pid)).toBe(true);
      // bgp_stress_test found its trigger file in the test server's work dir and consumed it.
      expect(readdirSync(lab.workDir).filter((f) => f.includes(runId))).toEqual([]);
      process.stderr.write(
        `ssh lab: spec run ${(run.durationMs / 1000).toFixed(1)} s, prefix_add_time ${it1.measurements.prefix_add_time!.value.toFixed(3)} s, ` +
          `${cpu.length} CPU samples over SSH, bgp_stress_test pid ${stress[0]!.pid} under sshd ${stress[0]!.ancestors[underSshd(stress[0]!).listener]!.pid}\n`,
      );
    },
  );
});
