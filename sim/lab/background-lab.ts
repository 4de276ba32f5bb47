/**
 * The embedded lab started in the background by `netscale lab up`: a state
 * directory holds lab.json (endpoints, pid, run tag) and the control node's
 * pid file and log; `lab down` stops exactly that process group, after
 * checking /proc that the pid still carries our run tag.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../../lib/clock.ts';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { signalGroup, startSimLab, type SimLabEndpoints } from './start-sim-lab.ts';
import type { SimLabSettings } from './sim-lab-file.ts';

export interface BackgroundLabState {
  labFile: string;
  runTag: string;
  pid: number;
  startedAt: string;
  endpoints: SimLabEndpoints;
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

export async function labUp(s: SimLabSettings): Promise<{ state: BackgroundLabState; alreadyUp: boolean }> {
  const existing = readLabState(s.stateDir);
  if (existing && isOurProcess(existing.pid, existing.runTag)) return { state: existing, alreadyUp: true };
  mkdirSync(s.stateDir, { recursive: true });
  const logFile = path.join(s.stateDir, 'control-node.log');
  const lab = await startSimLab({
    address: s.address,
    xmppPort: s.xmppPort,
    introspectPort: s.introspectPort,
    configApiPort: s.configApiPort,
    pidFile: s.pidFile,
    logFile,
    background: true,
    runTag: `sim-lab-${Date.now()}`,
  });
  const state: BackgroundLabState = {
    labFile: s.labFile,
    runTag: lab.runTag,
    pid: lab.pids.controlNode,
    startedAt: new Date().toISOString(),
    endpoints: lab.endpoints,
    logFile,
    pidFile: s.pidFile,
  };
  writeFileSync(stateFile(s.stateDir), JSON.stringify(state, null, 2) + '\n');
  return { state, alreadyUp: false };
}

/** Stops the background lab; returns the pid stopped, or undefined when nothing was running. */
export async function labDown(stateDir: string, graceMs = 5000): Promise<number | undefined> {
  const state = readLabState(stateDir);
  if (!state) return undefined;
  let stopped: number | undefined;
  if (isOurProcess(state.pid, state.runTag)) {
    stopped = state.pid;
    signalGroup(state.pid, 'SIGTERM');
    for (let waited = 0; waited < graceMs && existsSync(`/proc/${state.pid}`); waited += 50) await sleep(50);
    if (existsSync(`/proc/${state.pid}`)) signalGroup(state.pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${state.pid}`); i++) await sleep(20);
  }
  rmSync(stateFile(stateDir), { force: true });
  rmSync(state.pidFile, { force: true });
  return stopped;
}
