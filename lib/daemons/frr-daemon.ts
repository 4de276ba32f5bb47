/**
 * FRR as the device under test: bgpd alone (no zebra, -Z), as root without its init scripts (-S skips
 * the switch to the frr user), every path it writes under netscale's temp dir: config, pid file and
 * vty socket (--vty_socket), so several bgpd coexist and nothing under /etc/frr or /var/run/frr changes.
 * State through `vtysh --vty_socket <dir> -d bgpd`.
 */
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
import { frrConfig } from './frr-config.ts';
import { parseFrrStatistics, parseFrrSummary } from './frr-state.ts';
import { requireDaemon, type DaemonBinaries } from './require-daemon.ts';

const QUERY_TIMEOUT_MS = 30_000;

export class FrrDaemon implements BgpDaemon {
  readonly kind = 'frr' as const;
  private running: RunningDaemon | undefined;
  private dir: string | undefined;
  private host: Host | undefined;
  private bin: DaemonBinaries | undefined;

  get pid(): number | undefined {
    return this.running?.pid;
  }

  async start(o: BgpDaemonStartOptions): Promise<StartedBgpDaemon> {
    if (this.running) throw new Error('frr: start() called twice; stop() it first');
    const t = o.topology;
    this.host = t.dutHost;
    this.bin = await requireDaemon('frr', t.dutHost);
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
      }),
    );
    const command = [
      'exec',
      this.bin.daemon,
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
    ]
      .map(shellQuote)
      .join(' ');
    try {
      this.running = await launchDaemon({
        kind: 'frr',
        host: t.dutHost,
        command,
        comm: 'bgpd',
        address: t.dutAddress,
        port: t.bgpPort,
        timeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    return {
      kind: 'frr',
      address: t.dutAddress,
      port: t.bgpPort,
      localAs: o.localAs,
      routerId,
      pid: this.running.pid,
      dir: this.dir,
    };
  }

  private async vtysh(show: string, signal?: AbortSignal): Promise<string> {
    if (!this.host || !this.bin || !this.running || !this.dir) throw new Error('frr: not started');
    const command = `${shellQuote(this.bin.cli)} --vty_socket ${shellQuote(this.dir)} -d bgpd -c ${shellQuote(show)}`;
    const r = await this.host.exec(command, { timeoutMs: QUERY_TIMEOUT_MS, signal });
    if (r.code !== 0)
      throw new Error(`frr on ${this.host.name}: \`${command}\` failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  async state(signal?: AbortSignal): Promise<BgpDaemonState> {
    const [summary, statistics] = await Promise.all([
      this.vtysh('show bgp ipv4 unicast summary json', signal),
      this.vtysh('show bgp ipv4 unicast statistics json', signal),
    ]);
    return daemonState(parseFrrSummary(summary), parseFrrStatistics(statistics));
  }

  version(): Promise<string> {
    return daemonVersion('frr', this.host);
  }

  async stop(): Promise<void> {
    const running = this.running;
    const dir = this.dir;
    this.running = undefined;
    this.dir = undefined;
    await stopDaemon(running, dir);
  }
}
