/**
 * The fault matrix: a route-scale run, as a user starts it (`vitest run --project bgp ...`), against a lab
 * reached over SSH (a real sshd on loopback) in front of one control-node emulator that outlives every
 * run, with the scenario's env written into the control node's env file and VNs created through the
 * config API. Each fault hits the run while it holds its routes:
 *
 *   SIGINT / SIGTERM / SIGKILL of the runner (the whole process group, as a terminal or CI would),
 *   every SSH connection of the run dropped, the control node crashing and coming back, introspect
 *   answering garbage, a second run started on the locked lab.
 *
 * After each (and after `netscale lab restore` where the runner could not clean up itself: SIGKILL) the
 * lab must be as found: no process of the run on the host, the env file byte-identical, no VN left in
 * the config API, nothing pending in the change record, the lock free; every sample taken before the
 * fault still in the archive; and the run's output naming the cause. One line sums it up.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigApiClient } from '../../lib/contrail/config-api-client.ts';
import { IntrospectClient } from '../../lib/contrail/introspect-client.ts';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { ChangeRecord } from '../../lib/lab/change-record.ts';
import { readLockOwner } from '../../lib/lab/lab-lock.ts';
import { startControlNode, type TestControlNode } from '../support/embedded-control-node.ts';
import { runningInGroup, runningWithEnv } from '../support/proc.ts';
import { runCli } from '../support/run-cli.ts';
import { startSshd, type Sshd } from '../support/sshd.ts';
import { startSpec, type StartedSpec } from '../suites/support/run-spec.ts';
import { writeSshLabFile, type SshLabFile } from '../suites/support/ssh-lab-file.ts';

const ORIGINAL_ENV_FILE = new URL('../lab/data/control_param', import.meta.url);
/** 1 instance x 2 agents x 10 routes. */
const PREFIXES = 20;

const dir = mkdtempSync(join(tmpdir(), 'netscale-faults-'));
const envFile = join(dir, 'control_param');
const stateDir = join(dir, 'state');
const reportsRoot = join(dir, 'reports');
/** The lab's state as the test reads it, on this machine (the lab's control node host). */
const checkHost = new LocalHost({ name: 'cn', runTag: `faults-check-${process.pid}` });
let sshd: Sshd | undefined;
let cn: TestControlNode | undefined;
let lab: SshLabFile;
const clean: string[] = [];
const tried: string[] = [];

beforeAll(async () => {
  copyFileSync(ORIGINAL_ENV_FILE, envFile);
  sshd = await startSshd();
  const pidFile = join(dir, 'control-node.pid');
  cn = await startControlNode({ runTag: `faults-cn-${process.pid}`, pidFile, logFile: join(dir, 'cn.log') });
  lab = await writeSshLabFile({ dir, sshd, cn, pidFile, xmppSource: '127.41.0.1', envFile });
}, 60_000);

afterAll(async () => {
  process.stdout.write(`faults: ${tried.length} tried, ${clean.length} clean\n`);
  try {
    await cn?.stop();
  } finally {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

let runs = 0;

function startRun(holdSeconds = 20): { runId: string; run: StartedSpec } {
  const runId = `fault-${process.pid}-${++runs}`;
  const run = startSpec({
    project: 'bgp',
    spec: 'suites/bgp/route-scale.spec.ts',
    timeoutMs: 90_000,
    env: {
      LAB: lab.file,
      NETSCALE_RUN_ID: runId,
      NETSCALE_REPORTS_DIR: reportsRoot,
      NETSCALE_ITERATIONS: '1x2x10',
      NETSCALE_SCENARIO_OVERRIDES: JSON.stringify({
        controlNode: { env: { XMPP_KEEPALIVE_SECONDS: '300000' } },
        operation: { kind: 'add_and_hold', holdSeconds },
        vns: { deleteBeforeCreate: false },
        cpu: { intervalMs: 100 },
        bgpStress: {
          timeouts: { peersUpSeconds: 15, routesAddSeconds: 15, routesDeleteSeconds: 15, exitSeconds: 10 },
        },
      }),
    },
  });
  return { runId, run };
}

/** Until the control node holds every prefix of the run: the run is in its hold phase. */
async function holding(run: StartedSpec): Promise<void> {
  const introspect = new IntrospectClient(cn!.endpoints.introspect, { timeoutMs: 2000 });
  await vi.waitFor(
    async () => {
      const tables = await introspect.routeSummary('c');
      const prefixes = tables.reduce((n, t) => n + t.prefixes, 0);
      if (prefixes < PREFIXES)
        throw new Error(`${prefixes} of ${PREFIXES} prefixes so far\n${run.output().slice(-2000)}`);
    },
    { timeout: 60_000, interval: 100 },
  );
  expect(readFileSync(envFile, 'utf8')).toContain('XMPP_KEEPALIVE_SECONDS=300000');
}

/**
 * The lab as found. Waited for: after Ctrl-C or SIGTERM the run hands what it could not revert in time to
 * a `netscale lab restore` of its own, which finishes after the runner has exited.
 */
async function expectLabAsFound(runId: string): Promise<void> {
  const api = new ConfigApiClient(cn!.endpoints.configApi);
  const record = new ChangeRecord(checkHost, stateDir, { runId: '', owner: '' });
  await vi.waitFor(
    async () => {
      expect(await record.pending()).toEqual([]);
      expect(await readLockOwner(checkHost, stateDir)).toBeUndefined();
      expect(readFileSync(envFile)).toEqual(readFileSync(ORIGINAL_ENV_FILE));
      expect(existsSync(`${envFile}.netscale-backup`)).toBe(false);
      expect((await api.listVirtualNetworks()).map((v) => v.fqName.join(':'))).toEqual([]);
    },
    { timeout: 60_000, interval: 250 },
  );
  await vi.waitFor(() => expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]), {
    timeout: 15_000,
    interval: 100,
  });
}

/** Points in the run's raw series (header lines excluded), by file. */
function samples(runId: string): Record<string, number> {
  const root = join(reportsRoot, 'runs', runId, 'raw');
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ndjson'))
        out[p.slice(root.length + 1)] = readFileSync(p, 'utf8').trim().split('\n').length - 1;
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Samples taken before the fault, read while the run is held: each must still be in the archive after. */
function expectSamplesKept(before: Record<string, number>, runId: string): void {
  expect(Object.keys(before).length).toBeGreaterThan(0);
  const after = samples(runId);
  for (const [file, n] of Object.entries(before)) expect(after[file] ?? 0, file).toBeGreaterThanOrEqual(n);
  // The control node's CPU was being sampled when the fault came.
  expect(Object.entries(after).some(([f, n]) => /cpu/.test(f) && n > 0)).toBe(true);
}

async function simFault(fault: unknown): Promise<void> {
  const res = await fetch(`${cn!.endpoints.introspect}/sim/fault`, {
    method: 'POST',
    body: JSON.stringify(fault),
  });
  expect(res.status).toBe(200);
}

interface Fault {
  name: string;
  /** Hits the held run; returns what must be in the output (or the cleanup's) naming the cause. */
  inject(run: StartedSpec, runId: string): Promise<void>;
  cause: RegExp;
  /** The runner cannot clean up (SIGKILL): `netscale lab restore` does, and its output names the run. */
  restore?: boolean;
  /**
   * Ctrl-C and SIGTERM: the runner exits with this code, and only after its workers' clean-up has let go
   * of the lab (Vitest alone exits a millisecond after the signal, with the lab still held).
   */
  exitCode?: number;
}

const signal = (sig: NodeJS.Signals) => async (run: StartedSpec) => void process.kill(-run.pgid, sig);

const FAULTS: Fault[] = [
  {
    name: 'SIGINT of the runner',
    inject: signal('SIGINT'),
    cause: /SIGINT: stopping this run's processes/,
    exitCode: 130,
  },
  {
    name: 'SIGTERM of the runner',
    inject: signal('SIGTERM'),
    cause: /SIGTERM: stopping this run's processes/,
    exitCode: 143,
  },
  {
    name: 'SIGKILL of the runner',
    inject: signal('SIGKILL'),
    cause: /reverted 2 change\(s\) left by earlier runs/,
    restore: true,
  },
  {
    name: 'every SSH connection of the run dropped',
    // The per-connection sshd processes under the test's listener: killing them cuts the run's sessions.
    inject: async () => {
      const conns = execFileSync('pgrep', ['-P', String(sshd!.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      for (const pid of conns.filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    },
    cause:
      /load: bgp_stress_test#\S+ on ts ended before its routes were withdrawn \(no exit status: the connection to its host was lost\)/,
  },
  {
    name: 'the control node crashing and coming back',
    // Down for longer than the hold's idle sampling can miss: each kind is read at most every second plus
    // its request's latency, and at 1.5 s a loaded CI machine once read neither inside the dip.
    inject: () => simFault({ restart: { downMs: 3000 } }),
    cause:
      /hold: scenario iteration 1 lost what it held [\d.]+ s into the hold: XMPP peers down to 0 of 2, prefixes down to 0 of 20/,
  },
  {
    name: 'introspect answering garbage',
    inject: () => simFault({ garbage: { requests: 40 } }),
    cause: /introspect: \d+ of \d+ requests failed during iteration 1 \(last: .*XML/,
  },
];

describe('fault matrix', () => {
  it.each(FAULTS)(
    '$name: the lab as found, samples kept, the cause named',
    async (fault) => {
      tried.push(fault.name);
      const { runId, run } = startRun();
      await holding(run);
      const before = samples(runId);
      await fault.inject(run, runId);
      const result = await run.done;
      if (fault.exitCode !== undefined) {
        expect(result.code, result.output.slice(-3000)).toBe(fault.exitCode);
        expect(await readLockOwner(checkHost, stateDir)).toBeUndefined();
      }
      // Every process of the runner, workers included, has finished its own clean-up.
      await vi.waitFor(() => expect(runningInGroup(run.pgid)).toEqual([]), {
        timeout: 30_000,
        interval: 100,
      });
      let output = result.output;
      if (fault.restore) {
        const r = await runCli(['lab', 'restore', '--lab', lab.file, '--dotenv', join(dir, 'none.env')]);
        expect(r.code, r.err).toBe(0);
        output += r.out;
      }
      expect(output).toMatch(fault.cause);
      expectSamplesKept(before, runId);
      await expectLabAsFound(runId);
      clean.push(fault.name);
    },
    150_000,
  );

  it('a second run on the locked lab fails at once naming the first; the first is unaffected', async () => {
    tried.push('a second run on a locked lab');
    const first = startRun(8);
    await holding(first.run);
    const second = startRun();
    const refused = await second.run.done;
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(
      new RegExp(`lab ssh-loopback is in use by run ${first.runId} \\(\\S+@\\S+, started [\\dT:.Z-]+\\)`),
    );
    expect(refused.durationMs).toBeLessThan(30_000);
    const done = await first.run.done;
    expect(done.code, done.output.slice(-3000)).toBe(0);
    await expectLabAsFound(first.runId);
    expect(runningWithEnv(RUN_TAG_ENV, second.runId)).toEqual([]);
    clean.push('a second run on a locked lab');
  }, 150_000);
});
