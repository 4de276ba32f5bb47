/**
 * A real BGP daemon (lib/daemons: GoBGP, BIRD 2, FRR) as the scale pipeline's device under test. Its own
 * view, read through its own interface (gobgpd's gRPC API, BIRD's control socket, bgpd's vty socket), is
 * polled by the same adaptive poller as a control node's introspect, one kind per request: established
 * sessions of the generator's peers (the monitor's session does not count) and the prefixes in its RIB. Its process is sampled from /proc on its side of
 * the topology; restart() stops it and starts it again with the same configuration.
 *
 *   const dut = new BgpDaemonDut(daemon, startOptions, started);
 *   const obs = dut.observe({ peers: ['198.18.1.1', '198.18.1.2'] }, { targets, makeSeries });
 */
import { monotonicMs } from '../clock.ts';
import type { BgpDaemon, BgpDaemonStartOptions, StartedBgpDaemon } from '../daemons/bgp-daemon.ts';
import { IntrospectPoller, type IntrospectSource } from '../measure/introspect-poller.ts';
import { readProcessAndHost } from '../measure/process-reading.ts';
import { ProcessSampler } from '../measure/process-sampler.ts';
import type { Series } from '../measure/series.ts';
import type { Dut, DutStats, Observation } from './dut.ts';
import { pollerObservation } from './poller-observation.ts';
import { milestoneFromRecord } from './route-record-milestone.ts';

/** CPU of a before/after reading is averaged over this window. */
const STATS_CPU_WINDOW_MS = 500;

/** The generator peers an iteration brings up, by source address. */
export interface DaemonScope {
  peers: readonly string[];
  /**
   * Every prefix comes from one of these peers only: the RIB's prefixes are then the sum of the daemon's
   * per-peer counters, which it answers at once even when busy (a RIB walk waits its turn).
   */
  distinctPerPeer: boolean;
  /** The last prefix each of these peers sends: a daemon that stamps them times add and withdraw itself. */
  lastPrefixes: readonly string[];
}

export class BgpDaemonDut implements Dut<DaemonScope> {
  constructor(
    readonly daemon: BgpDaemon,
    private readonly startOptions: BgpDaemonStartOptions,
    private started: StartedBgpDaemon,
  ) {}

  get name(): string {
    return `${this.daemon.kind} at ${this.started.address}:${this.started.port}`;
  }

  get config(): StartedBgpDaemon {
    return this.started;
  }

  async version(): Promise<string> {
    return `${this.daemon.kind} ${await this.daemon.version()}`;
  }

  /** Each kind the poller asks for is one cheap query of the daemon, so each is sampled on its own. */
  private source(scope: DaemonScope): IntrospectSource {
    return {
      neighborCount: () => this.daemon.peersEstablished(scope.peers),
      routeSummary: async () => {
        const prefixes = scope.distinctPerPeer
          ? await this.daemon.prefixesFrom(scope.peers)
          : await this.daemon.ribPrefixes();
        return [
          {
            name: 'ipv4-unicast',
            prefixes,
            paths: prefixes,
            primaryPaths: prefixes,
            secondaryPaths: 0,
            infeasiblePaths: 0,
            // A daemon does not say what it still has to send.
            pendingUpdates: 0,
          },
        ];
      },
    };
  }

  observe(
    scope: DaemonScope,
    o: { targets: { peers: number; prefixes: number }; makeSeries: (name: string, unit: string) => Series },
  ): Observation {
    const poller = new IntrospectPoller(this.source(scope), {
      tableRegex: '',
      // A RIB walk competes with the routes being measured, so the poller keeps a daemon walking at most
      // half the time; per-peer counters cost it nothing and are asked back to back.
      maxBusyShare: scope.distinctPerPeer ? 1 : 0.5,
      targets: o.targets,
      makeSeries: o.makeSeries,
    });
    const polled = pollerObservation(poller, `${this.daemon.kind} state`);
    const notes = new Set<string>();
    return {
      ...polled,
      milestone: (spec, kind) => {
        const m = polled.milestone(spec, kind);
        const record = this.daemon.routeRecord;
        if (kind === 'peers' || !record) return m;
        const own = milestoneFromRecord({ polled: m, spec, record, watched: scope.lastPrefixes });
        if (own.note) notes.add(own.note);
        return own.milestone;
      },
      notes: () => [...notes],
    };
  }

  private pid(): number {
    const pid = this.daemon.pid;
    if (pid === undefined) throw new Error(`${this.name}: the daemon is not running`);
    return pid;
  }

  async sampleProcess(opts: {
    intervalMs: number;
    makeSeries: (name: string, unit: string) => Series;
  }): Promise<ProcessSampler> {
    return ProcessSampler.start(this.startOptions.topology.dutHost, { pid: this.pid(), ...opts });
  }

  async restart(): Promise<{ downMs: number }> {
    const t0 = monotonicMs();
    await this.daemon.stop();
    this.started = await this.daemon.start(this.startOptions);
    return { downMs: monotonicMs() - t0 };
  }

  async snapshot(scope: DaemonScope): Promise<unknown> {
    const s = await this.daemon.state();
    const own = new Set(scope.peers);
    return { ...s, peers: s.peers.filter((p) => own.has(p.address)) };
  }

  async stats(): Promise<DutStats> {
    const wall = Date.now();
    const errors: string[] = [];
    const part = <T>(what: string, p: Promise<T>): Promise<T | undefined> =>
      p.catch((err: Error) => {
        errors.push(`${what}: ${err.message}`);
        return undefined;
      });
    const [version, resources, state] = await Promise.all([
      part('version', this.version()),
      part(
        'process',
        Promise.resolve().then(() =>
          readProcessAndHost(
            this.startOptions.topology.dutHost,
            { pidCommand: `echo ${this.pid()}` },
            { windowMs: STATS_CPU_WINDOW_MS },
          ),
        ),
      ),
      part('state', this.daemon.state()),
    ]);
    return {
      wall,
      version,
      resources,
      peersUp: state?.peersEstablished,
      routes: state && {
        tables: 1,
        prefixes: state.ribPrefixes,
        paths: state.ribPrefixes,
        pendingUpdates: 0,
      },
      errors,
    };
  }
}
