/**
 * The embedded lab's control node in the background (`netscale lab up`): started detached on the lab
 * file's fixed ports so it outlives the command, its state (endpoints, pid, run tag) in
 * <stateDir>/lab.json. Opening the same lab file while it runs uses it like a real lab's control
 * node. `lab down` stops exactly that process group, after checking /proc that the pid still carries
 * our run tag.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_TAG_ENV } from '../hosts/host.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import type { EmbeddedLabConfig } from '../config/lab-schema.ts';
import { CONTROL_NODE_LAUNCHER, type EmbeddedEndpoints } from './embedded-control-node.ts';

export interface BackgroundLabState {
  labFile: string;
  runTag: string;
  pid: number;
  startedAt: string;
  endpoints: EmbeddedEndpoints;
  logFile: string;
  pidFile: string;
}

const stateFile = (dir: string) => path.join(dir, 'lab.json');

export function readLabState(stateDir: string): BackgroundLabState | undefined {
  const f = stateFile(stateDir);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as BackgroundLabState;
  } catch (err) {
    throw new Error(
      `${f}: unreadable lab state (${err instanceof Error ? err.message : String(err)}); remove it`,
    );
  }
}

/** True when `pid` is alive and carries `runTag` in its environment (so it is the process we started). */
export function isOurProcess(pid: number, runTag: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.includes(`${RUN_TAG_ENV}=${runTag}`);
  } catch {
    return false;
  }
}

/** The background lab of this state dir when it is up, else undefined. */
export function runningLab(stateDir: string): BackgroundLabState | undefined {
  const s = readLabState(stateDir);
  return s && isOurProcess(s.pid, s.runTag) ? s : undefined;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

const READY = /contrail-control \(sim\) ready (\{.*\})/;

export async function labUp(
  labFile: string,
  sim: EmbeddedLabConfig,
): Promise<{ state: BackgroundLabState; alreadyUp: boolean }> {
  const stateDir = path.resolve(sim.stateDir);
  const existing = runningLab(stateDir);
  if (existing) return { state: existing, alreadyUp: true };
  mkdirSync(stateDir, { recursive: true });
  const logFile = path.join(stateDir, 'control-node.log');
  const pidFile = path.join(stateDir, 'control-node.pid');
  const runTag = `sim-lab-${Date.now()}`;
  const args = [
    `--address=${sim.address}`,
    `--xmpp-port=${sim.xmppPort}`,
    `--introspect-port=${sim.introspectPort}`,
    `--config-api-port=${sim.configApiPort}`,
    `--pid-file=${pidFile}`,
    '--provision-self',
  ];
  const logStart = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const fd = openSync(logFile, 'a');
  // Detached and unreferenced: it is its own run parent (NETSCALE_SIM_OWN_PARENT), so it outlives us.
  const child = spawn(CONTROL_NODE_LAUNCHER, args, {
    detached: true,
    env: { ...process.env, [RUN_TAG_ENV]: runTag, NETSCALE_SIM_OWN_PARENT: '1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${CONTROL_NODE_LAUNCHER}`);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  const ready = await runAndExpect(
    () => (exitCode !== undefined ? 'exited' : READY.test(readFileSync(logFile, 'utf8').slice(logStart))),
    true,
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  if (!ready.ok) {
    signalGroup(pid, 'SIGKILL');
    throw new Error(
      `embedded lab: control node ${exitCode !== undefined ? `exited (code ${exitCode})` : 'not ready within 20 s'}: see ${logFile}`,
    );
  }
  const address = sim.address;
  const state: BackgroundLabState = {
    labFile,
    runTag,
    pid,
    startedAt: new Date().toISOString(),
    endpoints: {
      xmpp: { host: address, port: sim.xmppPort },
      introspect: `http://${address}:${sim.introspectPort}`,
      configApi: `http://${address}:${sim.configApiPort}`,
    },
    logFile,
    pidFile,
  };
  writeFileSync(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n');
  return { state, alreadyUp: false };
}

/** Stops the background lab; returns the pid stopped, or undefined when nothing was running. */
export async function labDown(stateDir: string, graceMs = 5000): Promise<number | undefined> {
  const state = readLabState(stateDir);
  if (!state) return undefined;
  let stopped: number | undefined;
  if (isOurProcess(state.pid, state.runTag)) {
    stopped = state.pid;
    const gone = () => !existsSync(`/proc/${state.pid}`);
    signalGroup(state.pid, 'SIGTERM');
    if (!(await runAndExpect(gone, true, { timeoutMs: graceMs, intervalMs: 50 })).ok) {
      signalGroup(state.pid, 'SIGKILL');
      await runAndExpect(gone, true, { timeoutMs: 2000, intervalMs: 20 });
    }
  }
  rmSync(stateFile(stateDir), { force: true });
  rmSync(state.pidFile, { force: true });
  return stopped;
}
