/**
 * BIRD 2 as the device under test: `bird -f` in the foreground, state through its control socket
 * (`-s <socket>`), spoken directly on one connection kept open (birdc's protocol, bird-reply.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../hosts/host.ts';
import {
  countEstablished,
  sumPrefixesFrom,
  daemonState,
  sessionState,
  type BgpDaemon,
  type BgpDaemonStartOptions,
  type BgpDaemonState,
  type DaemonRouteRecord,
  type StartedBgpDaemon,
} from './bgp-daemon.ts';
import { birdDutConfig, birdProtocolName } from './bird-config.ts';
import { BirdControl } from './bird-control.ts';
import { BirdRouteRecord } from './bird-route-log.ts';
import { parseBirdProtocols, parseBirdProtocolTable, parseBirdRouteCount } from './bird-state.ts';
import {
  DEFAULT_START_TIMEOUT_MS,
  launchDaemon,
  makeDaemonDir,
  startedDaemon,
  stopDaemon,
  type RunningDaemon,
} from './daemon-process.ts';
import { daemonVersion } from './daemon-version.ts';
import { requireDaemon } from './require-daemon.ts';

const QUERY_TIMEOUT_MS = 30_000;

export class BirdDaemon implements BgpDaemon {
  readonly kind = 'bird' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private control: BirdControl | undefined;
  private record: BirdRouteRecord | undefined;
  /** Protocol name -> neighbor address, as the config named them. */
  private neighborsByProtocol = new Map<string, string>();

  get routeRecord(): DaemonRouteRecord | undefined {
    return this.running ? this.record : undefined;
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('bird: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    const bin = await requireDaemon('bird', t.dutHost);
    this.dir = await makeDaemonDir('bird');
    const socket = join(this.dir, 'bird.ctl');
    const neighbors = [...o.peers, o.monitor];
    this.neighborsByProtocol = new Map(neighbors.map((n, i) => [birdProtocolName(i), n.address]));
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
        neighbors,
        multihop: t.kind === 'loopback',
        watchPrefixes: o.watchPrefixes,
      }),
    );
    const record = o.watchPrefixes?.length ? new BirdRouteRecord(o.watchPrefixes) : undefined;
    const pidFile = join(this.dir, 'bird.pid');
    try {
      this.running = await launchDaemon({
        kind: 'bird',
        host: t.dutHost,
        argv: [bin.daemon, '-f', '-c', conf, '-s', socket, '-P', pidFile],
        comm: 'bird',
        address: t.dutAddress,
        port: t.bgpPort,
        timeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        // Its log's stamps are UTC, whatever the host's zone.
        env: { TZ: 'UTC' },
        ...(record ? { onLine: (line: string) => record.line(line) } : {}),
      });
      this.record = record;
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.control = new BirdControl(socket, { timeoutMs: QUERY_TIMEOUT_MS });
    return startedDaemon('bird', o, routerId, this.running, this.dir);
  }

  /** One command on the control socket; its reply as birdc prints it. */
  private async query(command: string, signal?: AbortSignal): Promise<string> {
    if (!this.control || !this.running) throw new Error('bird: not started');
    return this.control.query(command, signal);
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const protocols = await this.query('show protocols all', signal);
    const count = await this.query('show route count', signal);
    return daemonState(parseBirdProtocols(protocols), parseBirdRouteCount(count));
  }

  /** The short `show protocols` table: one row per protocol, the session state in its Info column. */
  async peersEstablished(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    const rows = parseBirdProtocolTable(await this.query('show protocols', signal));
    const peers = rows.flatMap((r) => {
      const address = this.neighborsByProtocol.get(r.name);
      return r.proto === 'BGP' && address
        ? [{ address, state: sessionState(r.info), prefixesReceived: 0 }]
        : [];
    });
    return countEstablished(peers, addresses);
  }

  /** `show protocols all`: each BGP protocol's "Routes: N imported" counter. */
  async prefixesFrom(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    return sumPrefixesFrom(parseBirdProtocols(await this.query('show protocols all', signal)), addresses);
  }

  async ribPrefixes(signal?: AbortSignal): Promise<number> {
    return parseBirdRouteCount(await this.query('show route count', signal));
  }

  version(): Promise<string> {
    return daemonVersion('bird', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    this.control?.close();
    this.control = undefined;
    await stopDaemon(running, dir);
  }
}
