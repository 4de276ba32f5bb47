/** GoBGP (gobgpd) as the device under test; state through the gobgp CLI's JSON over its gRPC API. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import {
  daemonState,
  type BgpDaemon,
  type BgpDaemonStartOptions,
  type BgpDaemonState,
  type StartedBgpDaemon,
} from './bgp-daemon.ts';
import {
  DEFAULT_START_TIMEOUT_MS,
  launchDaemon,
  makeDaemonDir,
  stopDaemon,
  type RunningDaemon,
} from './daemon-process.ts';
import { daemonVersion } from './daemon-version.ts';
import { gobgpConfig } from './gobgp-config.ts';
import { parseGobgpNeighbors, parseGobgpRibSummary } from './gobgp-state.ts';
import { requireDaemon, type DaemonBinaries } from './require-daemon.ts';

const QUERY_TIMEOUT_MS = 30_000;

export class GobgpDaemon implements BgpDaemon {
  readonly kind = 'gobgp' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private bin: DaemonBinaries | undefined;
  private apiPort = 0;

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('gobgp: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    this.bin = await requireDaemon('gobgp', t.dutHost);
    this.dir = await makeDaemonDir('gobgp');
    this.apiPort = await t.allocatePort();
    const routerId = o.routerId ?? t.dutAddress;
    const conf = join(this.dir, 'gobgpd.toml');
    await writeFile(
      conf,
      gobgpConfig({
        localAs: o.localAs,
        routerId,
        address: t.dutAddress,
        port: t.bgpPort,
        holdTimeSeconds: o.holdTimeSeconds ?? 90,
        neighbors: [...o.peers, o.monitor],
      }),
    );
    const command = [
      'exec',
      this.bin.daemon,
      '-f',
      conf,
      '-p',
      '-l',
      'info',
      '--api-hosts',
      `127.0.0.1:${this.apiPort}`,
      '--pprof-disable',
    ]
      .map(shellQuote)
      .join(' ');
    try {
      this.running = await launchDaemon({
        kind: 'gobgp',
        host: t.dutHost,
        command,
        comm: 'gobgpd',
        address: t.dutAddress,
        port: t.bgpPort,
        timeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    return {
      kind: 'gobgp',
      address: t.dutAddress,
      port: t.bgpPort,
      localAs: o.localAs,
      routerId,
      pid: this.running.pid,
      dir: this.dir,
    };
  }

  private async cli(args: string, signal?: AbortSignal): Promise<string> {
    if (!this.host || !this.bin || !this.running) throw new Error('gobgp: not started');
    const command = `${shellQuote(this.bin.cli)} -u 127.0.0.1 -p ${this.apiPort} ${args}`;
    const r = await this.host.exec(command, { timeoutMs: QUERY_TIMEOUT_MS, signal });
    if (r.code !== 0)
      throw new Error(
        `gobgp on ${this.host.name}: \`${command}\` failed (exit ${r.code}): ${r.stderr.trim()}`,
      );
    return r.stdout;
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const [neighbors, rib] = await Promise.all([
      this.cli('neighbor -j', signal),
      this.cli('global rib summary -a ipv4 -j', signal),
    ]);
    return daemonState(parseGobgpNeighbors(neighbors), parseGobgpRibSummary(rib));
  }

  version(): Promise<string> {
    return daemonVersion('gobgp', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    await stopDaemon(running, dir);
  }
}
