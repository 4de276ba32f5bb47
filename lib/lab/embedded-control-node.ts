/**
 * The embedded lab's control node as a started service (testcontainers style): spawned through a Host
 * like every other process (own process group, run tag, guard), ready when it prints its ready line,
 * and described by the ports it actually bound. The lab file then takes those values through ${VAR}
 * references (labs/sim.yaml), so nothing is patched after the fact.
 *
 *   const cn = await startEmbeddedControlNode(host, { pidFile, logFile });
 *   cn.endpoints.introspect;  cn.vars.NETSCALE_SIM_INTROSPECT_URL;  await cn.stop();
 */
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExitStatus, Host, ProcessHandle } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';

/** The emulator's launcher: lib/ refers to sim/ only to start it. */
export const CONTROL_NODE_LAUNCHER = fileURLToPath(
  new URL('../../sim/bin/contrail-control', import.meta.url),
);

const READY = /^contrail-control \(sim\) ready (\{.*\})$/;

export interface EmbeddedEndpoints {
  xmpp: { host: string; port: number };
  introspect: string;
  configApi: string;
}

/** The variables a lab file refers to for the embedded control node's real endpoints. */
export interface EmbeddedVars extends Record<string, string> {
  NETSCALE_SIM_ADDRESS: string;
  NETSCALE_SIM_XMPP_PORT: string;
  NETSCALE_SIM_INTROSPECT_URL: string;
  NETSCALE_SIM_CONFIG_API_URL: string;
  NETSCALE_SIM_PID_FILE: string;
  /** The directory of its pid file: its state, where runs keep the lab lock and change record. */
  NETSCALE_SIM_STATE_DIR: string;
}

export interface EmbeddedControlNodeOptions {
  /** Listen address. Default 127.0.0.1. */
  address?: string;
  /** Ports; 0 or absent = any free port, read back from the emulator. */
  ports?: { xmpp?: number; introspect?: number; configApi?: number };
  /** Control-node name (its bgp-router, provisioned at start). Default sim-cn1. */
  name?: string;
  /** Where the emulator writes its pid (a lab file's process.pidFile). */
  pidFile?: string;
  /** Provision its own bgp-router at start (agents are refused until it exists). Default true. */
  provisionSelf?: boolean;
  endOfRibDelayMs?: number;
  /** The emulator's output is appended here. */
  logFile?: string;
  /** Update processing this many times slower than normal (demo and regression tests). */
  slowdown?: number;
  faults?: { dropRouteShare?: number; slowMsPerRoute?: number; crashAfterMs?: number };
  holdTimeS?: number;
  readyTimeoutMs?: number;
}

export interface EmbeddedControlNode {
  readonly name: string;
  readonly pidFile: string | undefined;
  readonly endpoints: EmbeddedEndpoints;
  readonly vars: EmbeddedVars;
  readonly process: ProcessHandle;
  /** Pid of the emulator itself (what CPU and RSS are read from). */
  readonly pid: number;
  exited(): Promise<ExitStatus>;
  stop(): Promise<void>;
}

export function embeddedVars(e: EmbeddedEndpoints, pidFile = ''): EmbeddedVars {
  return {
    NETSCALE_SIM_ADDRESS: e.xmpp.host,
    NETSCALE_SIM_XMPP_PORT: String(e.xmpp.port),
    NETSCALE_SIM_INTROSPECT_URL: e.introspect,
    NETSCALE_SIM_CONFIG_API_URL: e.configApi,
    NETSCALE_SIM_PID_FILE: pidFile,
    NETSCALE_SIM_STATE_DIR: pidFile ? dirname(pidFile) : '',
  };
}

function args(o: EmbeddedControlNodeOptions, address: string, name: string): string[] {
  const a = [
    `--name=${name}`,
    `--address=${address}`,
    `--xmpp-port=${o.ports?.xmpp ?? 0}`,
    `--introspect-port=${o.ports?.introspect ?? 0}`,
    `--config-api-port=${o.ports?.configApi ?? 0}`,
  ];
  if (o.pidFile) a.push(`--pid-file=${o.pidFile}`);
  if (o.provisionSelf ?? true) a.push('--provision-self');
  if (o.endOfRibDelayMs !== undefined) a.push(`--eor-delay-ms=${o.endOfRibDelayMs}`);
  const f = o.faults ?? {};
  if (o.holdTimeS !== undefined) a.push(`--hold-time=${o.holdTimeS}`);
  if (f.dropRouteShare !== undefined) a.push(`--fault-drop-routes=${f.dropRouteShare}`);
  if (f.slowMsPerRoute !== undefined) a.push(`--fault-slow-ms=${f.slowMsPerRoute}`);
  if (f.crashAfterMs !== undefined) a.push(`--fault-crash-after-ms=${f.crashAfterMs}`);
  if (o.slowdown !== undefined && o.slowdown !== 1) a.push(`--slowdown=${o.slowdown}`);
  return a;
}

export async function startEmbeddedControlNode(
  host: Host,
  o: EmbeddedControlNodeOptions,
): Promise<EmbeddedControlNode> {
  const address = o.address ?? '127.0.0.1';
  const name = o.name ?? 'sim-cn1';
  const command = [CONTROL_NODE_LAUNCHER, ...args(o, address, name)].map(shellQuote).join(' ');
  const log = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  type Ready = { pid: number; xmppPort: number; introspectPort: number; configApiPort: number };
  let announce: (r: Ready) => void = () => {};
  const readyLine = new Promise<Ready>((resolve) => (announce = resolve));
  // Listening from the first line: the ready line may come with the process's start.
  const p = await host.spawn(command, {
    name: `contrail-control (embedded) ${name}`,
    onLine: (line) => {
      log?.write(line + '\n');
      const m = READY.exec(line);
      if (m) announce(JSON.parse(m[1]!) as Ready);
    },
  });
  void p.wait().finally(() => log?.end());

  // Wait strategy: the emulator's own ready line (it prints it once all three ports listen), or its exit.
  const timeoutMs = o.readyTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = await Promise.race([
      readyLine,
      p.wait().then((s) => {
        throw new Error(
          `embedded control node exited (code ${s.code ?? s.signal}) before it was ready: ${p.output().trim().slice(-500)}`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `embedded control node: no ready line within ${timeoutMs} ms: ${p.output().trim().slice(-500)}`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
    const endpoints: EmbeddedEndpoints = {
      xmpp: { host: address, port: ready.xmppPort },
      introspect: `http://${address}:${ready.introspectPort}`,
      configApi: `http://${address}:${ready.configApiPort}`,
    };
    return {
      name,
      pidFile: o.pidFile,
      endpoints,
      vars: embeddedVars(endpoints, o.pidFile),
      process: p,
      pid: ready.pid,
      exited: () => p.wait(),
      stop: async () => {
        await p.stop({ graceMs: 3000 });
      },
    };
  } catch (err) {
    await p.stop({ graceMs: 1000 });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
