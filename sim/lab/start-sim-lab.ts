/**
 * Starts the embedded lab's control node (XMPP + introspect + config API in
 * one process, sim/bin/contrail-control) as a real child process in its own
 * process group, tagged with the run id; waits until all three ports answer;
 * provisions the control node's own bgp-router; returns endpoints, pid and stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { ConfigApiClient } from '../../lib/contrail/config-api-client.ts';
import { sleep } from '../../lib/clock.ts';
import { freePort } from './free-port.ts';
import { httpAnswers, tcpPortAnswers, waitUntilReady } from './wait-strategy.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CONTROL_NODE_LAUNCHER = path.join(REPO_ROOT, 'sim/bin/contrail-control');
/** Env the launcher reads: when set, the process is its own "run parent" and survives its starter (lab up). */
const RUN_PARENT_ENV = 'NETSCALE_RUN_PARENT';

export interface SimLabOptions {
  address?: string;
  /** Ports; 0 or absent = a free port. */
  xmppPort?: number;
  introspectPort?: number;
  configApiPort?: number;
  /** Control-node name (its bgp-router). Default sim-cn1. */
  controlNodeName?: string;
  holdTimeS?: number;
  endOfRibDelayMs?: number;
  /** Faults from the start (see sim/control-node/faults.ts). */
  faults?: { dropRouteShare?: number; slowMsPerRoute?: number; crashAfterMs?: number };
  /** Provision the control node's bgp-router through the config API once up. Default true. */
  provisionSelf?: boolean;
  /** Run tag put in NETSCALE_RUN_TAG. Default sim-<pid>-<time>. */
  runTag?: string;
  pidFile?: string;
  /** Output of the process goes here (background labs); otherwise it is kept in memory. */
  logFile?: string;
  /** Keep running after this process exits (netscale lab up). Default false: it exits with us. */
  background?: boolean;
  readyTimeoutMs?: number;
}

export interface SimLabEndpoints {
  xmpp: { host: string; port: number };
  introspect: string;
  configApi: string;
}

export interface SimLab {
  readonly endpoints: SimLabEndpoints;
  readonly controlNodeName: string;
  readonly runTag: string;
  readonly pids: { controlNode: number };
  /** Output so far (empty when it goes to logFile). */
  output(): string;
  /** Resolves with the exit code when the control node exits. */
  exited(): Promise<number | null>;
  /** TERM to the process group, KILL after graceMs (default 3000). Idempotent. */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

export async function startSimLab(opts: SimLabOptions = {}): Promise<SimLab> {
  const address = opts.address ?? '127.0.0.1';
  const ports = {
    xmpp: opts.xmppPort || (await freePort(address)),
    introspect: opts.introspectPort || (await freePort(address)),
    configApi: opts.configApiPort || (await freePort(address)),
  };
  const name = opts.controlNodeName ?? 'sim-cn1';
  const runTag = opts.runTag ?? `sim-${process.pid}-${Date.now()}`;
  const args = [
    `--name=${name}`,
    `--address=${address}`,
    `--xmpp-port=${ports.xmpp}`,
    `--introspect-port=${ports.introspect}`,
    `--config-api-port=${ports.configApi}`,
  ];
  if (opts.holdTimeS !== undefined) args.push(`--hold-time=${opts.holdTimeS}`);
  if (opts.endOfRibDelayMs !== undefined) args.push(`--eor-delay-ms=${opts.endOfRibDelayMs}`);
  if (opts.pidFile) args.push(`--pid-file=${opts.pidFile}`);
  if (opts.faults?.dropRouteShare !== undefined)
    args.push(`--fault-drop-routes=${opts.faults.dropRouteShare}`);
  if (opts.faults?.slowMsPerRoute !== undefined) args.push(`--fault-slow-ms=${opts.faults.slowMsPerRoute}`);
  if (opts.faults?.crashAfterMs !== undefined)
    args.push(`--fault-crash-after-ms=${opts.faults.crashAfterMs}`);
  if (!opts.background) args.push(`--exit-with-parent=${process.pid}`);

  const env: NodeJS.ProcessEnv = { ...process.env, [RUN_TAG_ENV]: runTag };
  if (opts.background) env.NETSCALE_SIM_OWN_PARENT = '1';
  else env[RUN_PARENT_ENV] = String(process.pid);
  let out = '';
  let child: ChildProcess;
  if (opts.logFile) {
    const fd = openSync(opts.logFile, 'a');
    child = spawn(CONTROL_NODE_LAUNCHER, args, { detached: true, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
  } else {
    child = spawn(CONTROL_NODE_LAUNCHER, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-64 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }
  if (opts.background) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${CONTROL_NODE_LAUNCHER}`);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : 0);
      resolve(exitCode);
    }),
  );

  const stop = async (s: { graceMs?: number } = {}) => {
    if (exitCode !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    const grace = s.graceMs ?? 3000;
    const done = await Promise.race([exited.then(() => true), sleep(grace).then(() => false)]);
    if (!done) {
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
  };

  const endpoints: SimLabEndpoints = {
    xmpp: { host: address, port: ports.xmpp },
    introspect: `http://${address}:${ports.introspect}`,
    configApi: `http://${address}:${ports.configApi}`,
  };
  try {
    await waitUntilReady(
      [
        tcpPortAnswers(address, ports.xmpp),
        httpAnswers(`${endpoints.introspect}/Snh_ShowXmppServerReq`),
        httpAnswers(`${endpoints.configApi}/virtual-networks`),
      ],
      opts.readyTimeoutMs ?? 20_000,
      () =>
        exitCode !== undefined
          ? `control node exited (code ${exitCode}) before it was ready: ${out.trim().slice(-500) || `see ${opts.logFile}`}`
          : undefined,
    );
    if (opts.provisionSelf ?? true) {
      await new ConfigApiClient(endpoints.configApi).ensureBgpRouter({
        name,
        address,
        routerType: 'control-node',
      });
    }
  } catch (err) {
    await stop({ graceMs: 1000 });
    throw err;
  }
  return {
    endpoints,
    controlNodeName: name,
    runTag,
    pids: { controlNode: pid },
    output: () => out,
    exited: () => exited,
    stop,
  };
}

/** Signals the whole process group led by `pgid`; a group already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
