/**
 * Runs one suite spec the way a user does (`vitest run --project <p> <spec>`) as a child process,
 * with the given environment (LAB, NETSCALE_RUN_ID, NETSCALE_REPORTS_DIR, scenario overrides) and
 * the outer Vitest's own variables removed, so the child is a run of its own. Only the default
 * reporter is used: nothing is written to the shared reports/ directory.
 *
 *   const r = await runSpec({ project: 'bgp', spec: 'suites/bgp/route-scale.spec.ts', env, timeoutMs });
 *   r.code, r.output, r.durationMs
 *   const run = startSpec({ ... }); process.kill(-run.pgid, 'SIGINT'); await run.done;
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

export interface StartedSpec {
  /** Process group of the run (the child leads it): signal it as a terminal's Ctrl-C would. */
  pgid: number;
  /** stdout then stderr so far. */
  output(): string;
  done: Promise<SpecRun>;
}

export interface SpecOptions {
  project: string;
  spec: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/** Starts the spec and returns at once; `done` resolves when the run has exited. */
export function startSpec(o: SpecOptions): StartedSpec {
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
  const done = new Promise<SpecRun>((resolve) =>
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
  return { pgid: child.pid!, output: () => `${stdout}\n${stderr}`, done };
}

export function runSpec(o: SpecOptions): Promise<SpecRun> {
  return startSpec(o).done;
}
