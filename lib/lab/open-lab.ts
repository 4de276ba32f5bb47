/**
 * The one factory for labs: .env + LAB -> validated lab file -> hosts
 * (LocalHost or SshHost per host's transport) -> roles. Invalid config throws
 * a ConfigError before any host is contacted (hosts connect on first use).
 */
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local-host.ts';
import { SshHost } from '../hosts/ssh-host.ts';
import { reap, type ReapResult } from '../hosts/reaper.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadEnv, type LoadEnvOptions } from '../config/env.ts';
import { loadLabFile } from '../config/load-lab.ts';
import type { HostConfig } from '../config/lab-schema.ts';
import { generateRunId } from '../run/run-id.ts';
import { onInterrupt } from '../run/interrupt.ts';
import { createLogger } from '../log/logger.ts';
import type { Lab, Role } from './lab.ts';

export interface OpenLabOptions extends LoadEnvOptions {
  /** Overrides LAB from the environment. */
  lab?: string;
  /** Overrides NETSCALE_RUN_ID. */
  runId?: string;
  /** Reap this run's processes on SIGINT/SIGTERM before exiting. Default true. */
  handleSignals?: boolean;
}

const log = createLogger('lab');

function buildHosts(file: string, configs: Record<string, HostConfig>, runTag: string): Record<string, Host> {
  const hosts: Record<string, Host> = {};
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

export async function openLab(opts: OpenLabOptions = {}): Promise<Lab> {
  const { env, vars } = loadEnv(opts);
  const labRef = opts.lab ?? env.LAB;
  const loaded = loadLabFile(labRef, vars);
  const runId = opts.runId ?? env.NETSCALE_RUN_ID ?? generateRunId();
  const hosts = buildHosts(loaded.file, loaded.hosts, runId);
  const cfg = loaded.config;
  const bind = <C extends { host: string }>(c: C): Role<C> => ({ config: c, host: hosts[c.host]! });

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
  const unregister = opts.handleSignals === false ? () => {} : onInterrupt(reapOwn);
  let closing: Promise<void> | undefined;

  log.info(`lab "${cfg.name}" from ${loaded.file}, run ${runId}`);
  return {
    name: cfg.name,
    file: loaded.file,
    config: cfg,
    isSim: loaded.isSim,
    runId,
    hosts,
    controlNodes: cfg.controlNodes.map(bind),
    configApi: cfg.configApi ? bind(cfg.configApi) : undefined,
    testServers: cfg.testServers.map(bind),
    routers: cfg.routers.map(bind),
    trafficGenerators: cfg.trafficGenerators.map(bind),
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
        try {
          await reapOwn();
        } finally {
          unregister();
          await Promise.allSettled(Object.values(hosts).map((h) => h.close()));
        }
      })();
      return closing;
    },
  };
}
