/**
 * FRR as the device under test: bgpd alone (no zebra, -Z), as root without its init scripts (-S skips
 * the switch to the frr user), every path it writes under netscale's temp dir: config, pid file and
 * vty socket (--vty_socket), so several bgpd coexist and nothing under /etc/frr or /var/run/frr changes.
 * State through bgpd's vty socket (<dir>/bgpd.vty), spoken directly as vtysh does on one connection
 * kept open (frr-vty-reply.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../hosts/host.ts';
import {
  countEstablished,
  sumPrefixesFrom,
  daemonState,
  type BgpDaemon,
  type BgpDaemonStartOptions,
  type BgpDaemonState,
  type DaemonRouteRecord,
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
import { frrConfig } from './frr-config.ts';
import { FrrRouteRecord } from './frr-route-log.ts';
import { parseFrrStatistics, parseFrrSummary } from './frr-state.ts';
import { encodeFrrCommand, FrrVtyFramer, type FrrVtyReply } from './frr-vty-reply.ts';
import { requireDaemon } from './require-daemon.ts';
import { UnixCommandSocket } from './unix-command-socket.ts';

const QUERY_TIMEOUT_MS = 30_000;
const SUMMARY = 'show bgp ipv4 unicast summary json';
const STATISTICS = 'show bgp ipv4 unicast statistics json';

export class FrrDaemon implements BgpDaemon {
  readonly kind = 'frr' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private vty: UnixCommandSocket<FrrVtyReply> | undefined;
  private record: FrrRouteRecord | undefined;

  get routeRecord(): DaemonRouteRecord | undefined {
    return this.running ? this.record : undefined;
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('frr: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    const bin = await requireDaemon('frr', t.dutHost);
    this.dir = await makeDaemonDir('frr');
    const routerId = o.routerId ?? t.dutAddress;
    const conf = join(this.dir, 'bgpd.conf');
    await writeFile(
      conf,
      frrConfig({
        localAs: o.localAs,
        routerId,
        holdTimeSeconds: o.holdTimeSeconds ?? 90,
        neighbors: [...o.peers, o.monitor],
        watchPrefixes: o.watchPrefixes,
      }),
    );
    const record = o.watchPrefixes?.length ? new FrrRouteRecord(o.watchPrefixes) : undefined;
    try {
      this.running = await launchDaemon({
        kind: 'frr',
        host: t.dutHost,
        argv: [
          bin.daemon,
          '-Z',
          '-S',
          '-f',
          conf,
          '-i',
          join(this.dir, 'bgpd.pid'),
          '--vty_socket',
          this.dir,
          // No vty TCP port: vtysh uses the socket.
          '-P',
          '0',
          '-p',
          String(t.bgpPort),
          '-l',
          t.dutAddress,
          '--log',
          'stdout',
        ],
        comm: 'bgpd',
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
    const socket = join(this.dir, 'bgpd.vty');
    this.vty = new UnixCommandSocket({
      path: socket,
      what: `frr vty socket ${socket}`,
      encode: encodeFrrCommand,
      newFramer: () => new FrrVtyFramer(),
      timeoutMs: QUERY_TIMEOUT_MS,
    });
    return startedDaemon('frr', o, routerId, this.running, this.dir);
  }

  /** One command on the vty socket; its output, or an error when bgpd says it failed. */
  private async query(command: string, signal?: AbortSignal): Promise<string> {
    if (!this.vty || !this.running) throw new Error('frr: not started');
    const reply = await this.vty.request(command, signal);
    if (reply.status !== 0)
      throw new Error(
        `frr on ${this.host?.name}: \`${command}\` failed (status ${reply.status}): ${reply.text.trim().slice(0, 200)}`,
      );
    return reply.text;
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const summary = await this.query(SUMMARY, signal);
    const statistics = await this.query(STATISTICS, signal);
    return daemonState(parseFrrSummary(summary), parseFrrStatistics(statistics));
  }

  async peersEstablished(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    return countEstablished(parseFrrSummary(await this.query(SUMMARY, signal)), addresses);
  }

  /** The summary's pfxRcd per neighbor. */
  async prefixesFrom(addresses: readonly string[], signal?: AbortSignal): Promise<number> {
    return sumPrefixesFrom(parseFrrSummary(await this.query(SUMMARY, signal)), addresses);
  }

  /** The statistics walk the table (the summary's ribCount counts tree nodes, not prefixes). */
  async ribPrefixes(signal?: AbortSignal): Promise<number> {
    return parseFrrStatistics(await this.query(STATISTICS, signal));
  }

  version(): Promise<string> {
    return daemonVersion('frr', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    this.vty?.close();
    this.vty = undefined;
    this.record = undefined;
    await stopDaemon(running, dir);
  }
}
