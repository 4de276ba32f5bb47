/**
 * Runs one suite spec the way a user does (`vitest run --project <p> <spec>`) as a child process,
 * with the given environment (LAB, NETSCALE_RUN_ID, NETSCALE_REPORTS_DIR, scenario overrides) and
 * the outer Vitest's own variables removed, so the child is a run of its own. Only the default
 * reporter is used: nothing is written to the shared reports/ directory.
 *
 *   const r = await runSpec({ project: 'bgp', spec: 'suites/bgp/route-scale.spec.ts', env, timeoutMs });
 *   r.code, r.output, r.durationMs
 */
import { spawn } from 'node:child_process';
import { monotonicMs } from '../../../lib/clock.ts';
import { REPO_ROOT } from '../../support/repo-root.ts';

export interface SpecRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout then stderr. */
  output: string;
  durationMs: number;
  timedOut: boolean;
}

const VITEST_BIN = `${REPO_ROOT}/node_modules/vitest/vitest.mjs`;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VITEST|NETSCALE_)/.test(k) && k !== 'NODE_ENV' && k !== 'TEST') env[k] = v;
  }
  return { ...env, NO_COLOR: '1', CI: '1', ...extra };
}

export function runSpec(o: {
  project: string;
  spec: string;
  env: Record<string, string>;
  timeoutMs: number;
}): Promise<SpecRun> {
  const started = monotonicMs();
  const child = spawn(
    process.execPath,
    [VITEST_BIN, 'run', '--project', o.project, '--reporter=default', o.spec],
    { cwd: REPO_ROOT, env: childEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The child leads its own group: its workers go with it.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, o.timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        output: `${stdout}\n${stderr}`,
        durationMs: monotonicMs() - started,
        timedOut,
      });
    }),
  );
}
