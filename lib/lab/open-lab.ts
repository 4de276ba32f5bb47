/**
 * The one factory for labs: .env + LAB -> validated lab file -> hosts
 * (LocalHost or SshHost per host's transport) -> roles. Invalid config throws
 * a ConfigError before any host is contacted (hosts connect on first use).
 *
 * A lab file with a `sim` section is the embedded lab: its control node is started first (or the one
 * `netscale lab up` left running is used), and the endpoints it really bound fill the file's
 * ${NETSCALE_SIM_*} references. Everything after that is the same as for a real lab.
 */
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local-host.ts';
import { SshHost } from '../hosts/ssh-host.ts';
import { reap, type ReapResult } from '../hosts/reaper.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadEnv, type LoadEnvOptions } from '../config/env.ts';
import { loadLabFile, readEmbeddedSection } from '../config/load-lab.ts';
import type { HostConfig } from '../config/lab-schema.ts';
import { generateRunId } from '../run/run-id.ts';
import { onInterrupt } from '../run/interrupt.ts';
import { createLogger } from '../log/logger.ts';
import type { EmbeddedLabInfo, Lab, Role } from './lab.ts';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runningLab } from './background-lab.ts';
import { embeddedVars, startEmbeddedControlNode, type EmbeddedControlNode } from './embedded-control-node.ts';
import { claimLab, type ClaimOptions, type LabClaim } from './lab-claim.ts';
import { handOffRestore } from './restore-handoff.ts';

export interface OpenLabOptions extends LoadEnvOptions {
  /** Overrides LAB from the environment. */
  lab?: string;
  /** Overrides NETSCALE_RUN_ID. */
  runId?: string;
  /** Reap this run's processes on SIGINT/SIGTERM before exiting. Default true. */
  handleSignals?: boolean;
  /**
   * Take the lab lock and record lab changes (lib/lab/lab-claim.ts): runs that change a lab. Reverts what a
   * crashed earlier run left first (its processes reaped, its recorded changes reverted); fails with
   * LabBusyError while another run holds the lab.
   */
  claim?: boolean | ClaimOptions;
  /** Embedded lab: start a control node of our own even when `lab up` runs one; faults from the start. */
  embedded?: {
    ownControlNode?: boolean;
    faults?: { dropRouteShare?: number; slowMsPerRoute?: number; crashAfterMs?: number };
  };
}

const log = createLogger('lab');

function buildHosts(
  file: string,
  configs: Record<string, HostConfig>,
  runTag: string,
  existing: Record<string, Host>,
): Record<string, Host> {
  const hosts: Record<string, Host> = { ...existing };
  const building = new Set<string>();
  const build = (name: string): Host => {
    const existing = hosts[name];
    if (existing) return existing;
    if (building.has(name)) {
      throw new ConfigError(file, [
        {
          path: `hosts.${name}.jump`,
          message: `expected a chain of jump hosts, found a loop: ${[...building, name].join(' -> ')}`,
        },
      ]);
    }
    building.add(name);
    const c = configs[name]!;
    let host: Host;
    if (c.transport === 'local') host = new LocalHost({ name, runTag });
    else {
      const jump = c.jump !== undefined ? build(c.jump) : undefined;
      if (jump !== undefined && !(jump instanceof SshHost)) {
        throw new ConfigError(file, [
          { path: `hosts.${name}.jump`, message: `expected an ssh host, found local host "${c.jump}"` },
        ]);
      }
      host = new SshHost({
        name,
        address: c.address,
        port: c.port,
        user: c.user,
        auth: c.auth,
        knownHosts: c.knownHosts,
        knownHostsFile: c.knownHostsFile,
        jump,
        connectTimeoutMs: c.connectTimeoutMs,
        keepaliveIntervalMs: c.keepaliveIntervalMs,
        runTag,
      });
    }
    building.delete(name);
    hosts[name] = host;
    return host;
  };
  for (const name of Object.keys(configs)) build(name);
  return hosts;
}

interface StartedEmbedded {
  vars: Record<string, string>;
  info: EmbeddedLabInfo;
  host?: Host;
  node?: EmbeddedControlNode;
  stateDir?: string;
}

/** The embedded lab's control node: the running `lab up` one, or one started now on free ports. */
async function embeddedControlNode(
  labRef: string,
  runId: string,
  opts: OpenLabOptions,
  env: Record<string, string | undefined>,
): Promise<StartedEmbedded | undefined> {
  const section = readEmbeddedSection(labRef);
  if (!section) return undefined;
  const { sim } = section;
  const running = opts.embedded?.ownControlNode ? undefined : runningLab(resolve(sim.stateDir));
  if (running) {
    return {
      vars: embeddedVars(running.endpoints, running.pidFile),
      info: { endpoints: running.endpoints, pid: running.pid, owned: false },
    };
  }
  const stateDir = resolve(
    sim.stateDir,
    'runs',
    `${runId}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
  );
  mkdirSync(stateDir, { recursive: true });
  const host = new LocalHost({ name: sim.host, runTag: runId });
  const slowdown = env.NETSCALE_SIM_SLOWDOWN === undefined ? undefined : Number(env.NETSCALE_SIM_SLOWDOWN);
  if (slowdown !== undefined && !(slowdown >= 1)) {
    throw new ConfigError('environment', [
      {
        path: 'NETSCALE_SIM_SLOWDOWN',
        message: `expected a factor >= 1, found "${env.NETSCALE_SIM_SLOWDOWN}"`,
      },
    ]);
  }
  const node = await startEmbeddedControlNode(host, {
    address: sim.address,
    pidFile: join(stateDir, 'control-node.pid'),
    logFile: join(stateDir, 'control-node.log'),
    faults: opts.embedded?.faults,
    slowdown,
  });
  return {
    vars: node.vars,
    info: {
      endpoints: node.endpoints,
      pid: node.pid,
      owned: true,
      exited: node.exited().then((s) => s.code),
    },
    host,
    node,
    stateDir,
  };
}

/** Whether the promise has settled already (without waiting for it). */
function exitedYet(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);
}

export async function openLab(opts: OpenLabOptions = {}): Promise<Lab> {
  const { env, vars } = loadEnv(opts);
  const labRef = opts.lab ?? env.LAB;
  const runId = opts.runId ?? env.NETSCALE_RUN_ID ?? generateRunId();
  const embedded = await embeddedControlNode(labRef, runId, opts, vars);
  let loaded;
  try {
    loaded = loadLabFile(labRef, { ...vars, ...embedded?.vars });
  } catch (err) {
    await embedded?.node?.stop();
    throw err;
  }
  const existing: Record<string, Host> = embedded?.host ? { [embedded.host.name]: embedded.host } : {};
  const hosts = buildHosts(loaded.file, loaded.hosts, runId, existing);
  const cfg = loaded.config;
  const bind = <C extends { host: string }>(c: C): Role<C> => ({
    config: c,
    host: hosts[c.host]!,
    hostName: c.host,
    address: loaded.hosts[c.host]?.address ?? hosts[c.host]!.address,
  });

  const roles = new Map<string, string[]>();
  const note = (host: string, role: string) => roles.set(host, [...(roles.get(host) ?? []), role]);
  cfg.controlNodes.forEach((c, i) => note(c.host, `controlNodes[${i}]`));
  if (cfg.configApi) note(cfg.configApi.host, 'configApi');
  cfg.testServers.forEach((c, i) => note(c.host, `testServers[${i}]`));
  cfg.routers.forEach((c, i) => note(c.host, `routers[${i}]`));
  cfg.trafficGenerators.forEach((c, i) => note(c.host, `trafficGenerators[${i}]`));

  const reapOwn = async () => {
    const used = Object.values(hosts).filter((h) => !(h instanceof SshHost) || h.hasConnected);
    // Only what this lab's hosts started: other workers of the same run keep their processes.
    await Promise.allSettled(used.map((h) => reap(h, { runTag: runId, owner: h.ownerTag, graceMs: 2000 })));
  };
  let claim: LabClaim | undefined;
  const releaseClaim = async () => {
    const errors = (await claim?.release()) ?? [];
    for (const e of errors) log.error(`lab ${cfg.name}: could not revert ${e}`);
    return errors;
  };
  const cleanUpInterrupted = async (): Promise<void> => {
    await reapOwn();
    // An emulator this lab started is gone with its state: nothing outlives the run to revert.
    if (claim && claim.pending() > 0 && !embedded?.node) {
      const h = handOffRestore({ labFile: loaded.file, envFile: opts.envFile, runId, waitS: 120 });
      log.warn(
        `lab ${cfg.name}: ${claim.pending()} change(s) to revert; if this process is stopped first, \`netscale lab restore\` (pid ${h.pid}, log ${h.log}) reverts them once the lab is free`,
      );
    }
    await releaseClaim();
  };
  // Ctrl-C's clean-up, once started: close() waits for it rather than closing the hosts it works through.
  let interrupted: Promise<void> | undefined;
  const unregister =
    opts.handleSignals === false ? () => {} : onInterrupt(() => (interrupted = cleanUpInterrupted()));
  let closing: Promise<void> | undefined;

  log.info(`lab "${cfg.name}" from ${loaded.file}, run ${runId}`);
  const lab: Lab = {
    name: cfg.name,
    file: loaded.file,
    config: cfg,
    embedded: embedded?.info,
    runId,
    hosts,
    controlNodes: cfg.controlNodes.map(bind),
    configApi: cfg.configApi ? bind(cfg.configApi) : undefined,
    testServers: cfg.testServers.map(bind),
    routers: cfg.routers.map(bind),
    trafficGenerators: cfg.trafficGenerators.map(bind),
    get claim() {
      return claim;
    },
    rolesOf: (hostName) => roles.get(hostName) ?? [],
    async reap(): Promise<ReapResult[]> {
      const results = await Promise.all(Object.values(hosts).map((h) => reap(h, { currentRunTag: runId })));
      for (const r of results) {
        if (r.killed.length)
          log.warn(`${r.host}: killed ${r.killed.length} leftover process(es) of earlier runs`);
      }
      return results;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await interrupted?.catch(() => undefined);
        let unreverted: string[] = [];
        // An emulator this lab started that died took its configuration along: what could not be
        // reverted in it is gone anyway (its crash is what the run reports).
        const emulatorDied = embedded?.info.exited !== undefined && (await exitedYet(embedded.info.exited));
        try {
          // While the lab's services still run: reverting needs them.
          unreverted = await releaseClaim();
          if (emulatorDied) unreverted = [];
          await embedded?.node?.stop();
          await reapOwn();
          if (embedded?.stateDir) rmSync(embedded.stateDir, { recursive: true, force: true });
        } finally {
          unregister();
          await Promise.allSettled(Object.values(hosts).map((h) => h.close()));
        }
        if (unreverted.length)
          throw new Error(
            `lab ${cfg.name}: ${unreverted.length} change(s) could not be reverted (they stay recorded for \`netscale lab restore\`):\n  ${unreverted.join('\n  ')}`,
          );
      })();
      return closing;
    },
  };
  if (opts.claim) {
    try {
      // A crashed run's processes go before its other changes are reverted.
      await lab.reap();
      claim = await claimLab(lab, opts.claim === true ? {} : opts.claim);
    } catch (err) {
      await lab.close();
      throw err;
    }
  }
  return lab;
}
