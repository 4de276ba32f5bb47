/** BIRD 2 as the device under test: `bird -f` in the foreground, state through `birdc -s <socket>`. */
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
import { birdDutConfig } from './bird-config.ts';
import { parseBirdProtocols, parseBirdRouteCount } from './bird-state.ts';
import {
  DEFAULT_START_TIMEOUT_MS,
  launchDaemon,
  makeDaemonDir,
  stopDaemon,
  type RunningDaemon,
} from './daemon-process.ts';
import { daemonVersion } from './daemon-version.ts';
import { requireDaemon, type DaemonBinaries } from './require-daemon.ts';

const QUERY_TIMEOUT_MS = 30_000;

export class BirdDaemon implements BgpDaemon {
  readonly kind = 'bird' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private bin: DaemonBinaries | undefined;
  private socket = '';

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('bird: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    this.bin = await requireDaemon('bird', t.dutHost);
    this.dir = await makeDaemonDir('bird');
    this.socket = join(this.dir, 'bird.ctl');
    const routerId = o.routerId ?? t.dutAddress;
    const conf = join(this.dir, 'bird.conf');
    await writeFile(
      conf,
      birdDutConfig({
        localAs: o.localAs,
        routerId,
        address: t.dutAddress,
        port: t.bgpPort,
        holdTimeSeconds: o.holdTimeSeconds ?? 90,
        neighbors: [...o.peers, o.monitor],
        multihop: t.kind === 'loopback',
      }),
    );
    const pidFile = join(this.dir, 'bird.pid');
    const command = ['exec', this.bin.daemon, '-f', '-c', conf, '-s', this.socket, '-P', pidFile]
      .map(shellQuote)
      .join(' ');
    try {
      this.running = await launchDaemon({
        kind: 'bird',
        host: t.dutHost,
        command,
        comm: 'bird',
        address: t.dutAddress,
        port: t.bgpPort,
        timeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    return {
      kind: 'bird',
      address: t.dutAddress,
      port: t.bgpPort,
      localAs: o.localAs,
      routerId,
      pid: this.running.pid,
      dir: this.dir,
    };
  }

  /** One birdc call running several commands (birdc reads them from stdin when it has no terminal). */
  private async birdc(commands: string[], signal?: AbortSignal): Promise<string> {
    if (!this.host || !this.bin || !this.running) throw new Error('bird: not started');
    const command = `${shellQuote(this.bin.cli)} -s ${shellQuote(this.socket)}`;
    const r = await this.host.exec(command, {
      timeoutMs: QUERY_TIMEOUT_MS,
      signal,
      input: commands.join('\n') + '\n',
    });
    if (r.code !== 0)
      throw new Error(
        `bird on ${this.host.name}: \`${command}\` failed (exit ${r.code}): ${r.stderr.trim()}`,
      );
    return r.stdout;
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const [protocols, count] = await Promise.all([
      this.birdc(['show protocols all'], signal),
      this.birdc(['show route count'], signal),
    ]);
    return daemonState(parseBirdProtocols(protocols), parseBirdRouteCount(count));
  }

  version(): Promise<string> {
    return daemonVersion('bird', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    await stopDaemon(running, dir);
  }
}
