/**
 * GoBGP (gobgpd) as the device under test; state through its gRPC API (gobgp-api.ts) on a unix socket
 * in the daemon's temp dir, which the root namespace reaches. The API also listens on 127.0.0.1 inside
 * the daemon's side, for the gobgp CLI by hand.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../hosts/host.ts';
import {
  countEstablished,
  type DaemonRouteRecord,
  type RouteProbe,
  sumPrefixesFrom,
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
  startedDaemon,
  stopDaemon,
  type RunningDaemon,
} from './daemon-process.ts';
import { daemonVersion } from './daemon-version.ts';
import { GobgpApiClient, type UpdateWatch } from './gobgp-api.ts';
import { gobgpConfig } from './gobgp-config.ts';
import { GobgpRouteRecord } from './gobgp-route-record.ts';
import { requireDaemon } from './require-daemon.ts';

// gobgpd queues API calls behind the updates it is processing: at 10 x 100,000 prefixes a ListPeer took
// over 30 s here. A late answer is still a sample; giving up and asking again only queues a new call.
const QUERY_TIMEOUT_MS = 120_000;

export class GobgpDaemon implements BgpDaemon {
  readonly kind = 'gobgp' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private api: GobgpApiClient | undefined;
  private record: GobgpRouteRecord | undefined;
  private watch: UpdateWatch | undefined;
  private prober: { peers: readonly string[]; send: RouteProbe } | undefined;

  get routeRecord(): DaemonRouteRecord | undefined {
    return this.record;
  }

  probeFrom(peers: readonly string[], send: RouteProbe): void {
    this.prober = { peers, send };
    this.record?.probeFrom(peers, send);
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('gobgp: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    const bin = await requireDaemon('gobgp', t.dutHost);
    this.dir = await makeDaemonDir('gobgp');
    const apiPort = await t.allocatePort();
    const apiSocket = join(this.dir, 'api.sock');
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
    try {
      this.running = await launchDaemon({
        kind: 'gobgp',
        host: t.dutHost,
        argv: [
          bin.daemon,
          '-f',
          conf,
          '-p',
          '-l',
          'info',
          '--api-hosts',
          `127.0.0.1:${apiPort},unix://${apiSocket}`,
          '--pprof-disable',
        ],
        comm: 'gobgpd',
        address: t.dutAddress,
        port: t.bgpPort,
        timeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.api = new GobgpApiClient(apiSocket);
    if (o.watchPrefixes?.length) {
      const record = new GobgpRouteRecord(o.watchPrefixes);
      this.record = record;
      // A watch that ends early leaves the record short: the figure then falls back to the poller's.
      this.watch = this.api.watchUpdates(
        (paths, at) => record.onUpdate(paths, at),
        () => record.stopProbing(),
      );
      if (this.prober) record.probeFrom(this.prober.peers, this.prober.send);
    }
    return startedDaemon('gobgp', o, routerId, this.running, this.dir);
  }

  private client(): GobgpApiClient {
    if (!this.api || !this.running) throw new Error('gobgp: not started');
    return this.api;
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const api = this.client();
    const [peers, rib] = await Promise.all([
      api.listPeers(QUERY_TIMEOUT_MS, signal),
      api.ribDestinations(QUERY_TIMEOUT_MS, signal),
    ]);
    return daemonState(peers, rib);
  }

  async peersEstablished(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    return countEstablished(await this.client().listPeers(QUERY_TIMEOUT_MS, signal), addresses);
  }

  /** ListPeer's received count per neighbor. */
  async prefixesFrom(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    return sumPrefixesFrom(await this.client().listPeers(QUERY_TIMEOUT_MS, signal), addresses);
  }

  ribPrefixes(signal?: AbortSignal): Promise<number> {
    return this.client().ribDestinations(QUERY_TIMEOUT_MS, signal);
  }

  version(): Promise<string> {
    return daemonVersion('gobgp', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    this.record?.stopProbing();
    this.record = undefined;
    this.watch?.cancel();
    this.watch = undefined;
    this.api?.close();
    this.api = undefined;
    await stopDaemon(running, dir);
  }
}
