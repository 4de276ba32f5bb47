/**
 * A Contrail control node as the device under test, driven through its lab host and observed through
 * its introspect: version, restart (and reboot) with the lab's commands
 * and a wait until it takes agents again, one streaming CPU/memory sampler of its process, and
 * adaptive introspect pollers per iteration (lib/measure IntrospectPoller) whose samples carry their
 * request latency, so a milestone's bracket starts when the request before it was sent.
 *
 *   const cn = new ContrailControlNode(lab.controlNodes[0]);
 *   await cn.restart();   // the scenario's env goes into the env file first: lib/scale/control-node-env.ts
 *   const obs = cn.observe({ tableRegex, peers: /^agent(3|4)\./ }, { targets, makeSeries });
 */
import net from 'node:net';
import { monotonicMs } from '../clock.ts';
import type { ControlNodeConfig } from '../config/lab-schema.ts';
import { ESTABLISHED, IntrospectClient } from '../contrail/introspect-client.ts';
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { IntrospectPoller, type IntrospectSource } from '../measure/introspect-poller.ts';
import { readProcessAndHost } from '../measure/process-reading.ts';
import { ProcessSampler } from '../measure/process-sampler.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import type { Series } from '../measure/series.ts';
import type { Dut, DutStats, Observation } from './dut.ts';
import { pollerObservation } from './poller-observation.ts';

const COMMAND_TIMEOUT_MS = 120_000;
/** CPU of a before/after reading is averaged over this window. */
const STATS_CPU_WINDOW_MS = 500;

/** Which part of the control node an iteration loads. */
export interface ContrailScope {
  /** Its route tables, as a ShowRouteSummaryReq search regex. */
  tableRegex: string;
  /**
   * Count only the XMPP peers whose name matches (iterations running in parallel each count their own
   * agents). Without it the node's own up-count is used: one cheap request.
   */
  peers?: RegExp;
}

export interface IntrospectSnapshotRecord {
  xmppPeersUp: number;
  tables: Array<{ name: string; prefixes: number; paths: number; pendingUpdates: number; markers: number }>;
}

export class ContrailControlNode implements Dut<ContrailScope> {
  readonly host: Host;
  readonly config: ControlNodeConfig;
  readonly introspect: IntrospectClient;

  constructor(cn: { host: Host; config: ControlNodeConfig }) {
    this.host = cn.host;
    this.config = cn.config;
    this.introspect = new IntrospectClient(cn.config.introspect, { timeoutMs: 10_000 });
  }

  get name(): string {
    return `control node ${this.host.name}`;
  }

  get xmppAddress(): string {
    return this.config.xmppAddress ?? this.host.address;
  }

  private async run(what: string, command: string): Promise<string> {
    const r = await this.host.exec(command, { timeoutMs: COMMAND_TIMEOUT_MS });
    if (r.code !== 0 || r.timedOut) {
      throw new Error(
        `${this.name}: ${what} (${command}) ${r.timedOut ? 'timed out' : `exited ${r.code}`}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`,
      );
    }
    return r.stdout;
  }

  /** Output of the lab's versionCommand (contrail-version), trimmed. */
  async version(): Promise<string> {
    return (await this.run('version', this.config.versionCommand)).trim();
  }

  /** Pid of the control-node process, from its pid file or by exact process name. */
  async pid(): Promise<number> {
    const command = this.pidCommand();
    const out = (await this.run('find its pid', command)).trim();
    const pid = Number(out.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new Error(`${this.name}: expected a pid from '${command}', found ${JSON.stringify(out)}`);
    }
    return pid;
  }

  /** Runs the lab's restart command (or reboot command) and waits until the node takes agents again. */
  async restart(opts: { reboot?: boolean; timeoutS?: number } = {}): Promise<{ downMs: number }> {
    const command = opts.reboot ? this.config.rebootCommand : this.config.restartCommand;
    if (!command) {
      throw new Error(
        `${this.name}: reboot asked but the lab file's controlNodes[0].rebootCommand is not set`,
      );
    }
    const t0 = monotonicMs();
    await this.run(opts.reboot ? 'reboot' : 'restart', command);
    await this.waitReady(opts.timeoutS ?? 300);
    return { downMs: monotonicMs() - t0 };
  }

  /** Until the XMPP port accepts connections and introspect answers; bounded by timeoutS. */
  async waitReady(timeoutS: number): Promise<void> {
    const ready = await runAndExpect(
      async () => {
        if (!(await tcpAccepts(this.xmppAddress, this.config.xmppPort)))
          throw new Error(`XMPP ${this.xmppAddress}:${this.config.xmppPort} refuses connections`);
        await this.introspect.neighborCount('xmpp', 'up');
        return true;
      },
      true,
      { timeoutMs: timeoutS * 1000, intervalMs: 200 },
    );
    if (!ready.ok)
      throw new Error(`${this.name}: not ready ${timeoutS} s after restart (${ready.diff?.join('; ')})`);
  }

  async sampleProcess(opts: {
    intervalMs: number;
    makeSeries: (name: string, unit: string) => Series;
  }): Promise<ProcessSampler> {
    return ProcessSampler.start(this.host, { pid: await this.pid(), ...opts });
  }

  observe(
    scope: ContrailScope,
    o: { targets: { peers: number; prefixes: number }; makeSeries: (name: string, unit: string) => Series },
  ): Observation {
    const poller = new IntrospectPoller(this.source(scope.peers), {
      tableRegex: scope.tableRegex,
      targets: o.targets,
      makeSeries: o.makeSeries,
    });
    return pollerObservation(poller, 'introspect');
  }

  private source(peers: RegExp | undefined): IntrospectSource {
    const c = this.introspect;
    return {
      neighborCount: async (kind, state) =>
        peers
          ? (await c.neighbors()).filter(
              (n) => n.encoding === 'XMPP' && n.state === ESTABLISHED && peers.test(n.peer),
            ).length
          : c.neighborCount(kind, state),
      routeSummary: (regex) => c.routeSummary(regex),
    };
  }

  async snapshot(scope: ContrailScope): Promise<IntrospectSnapshotRecord> {
    const [xmppPeersUp, tables] = await Promise.all([
      this.introspect.neighborCount('xmpp', 'up'),
      this.introspect.routeSummary(scope.tableRegex),
    ]);
    return {
      xmppPeersUp,
      tables: tables.map((t) => ({
        name: t.name,
        prefixes: t.prefixes,
        paths: t.paths,
        pendingUpdates: t.pendingUpdates,
        markers: t.markers,
      })),
    };
  }

  /** The command pid() runs: prints the control node's pid on its host (pid file, else oldest exact name). */
  pidCommand(): string {
    const { pidFile, name } = this.config.process;
    return pidFile ? `cat ${shellQuote(pidFile)}` : `pgrep -x -o ${shellQuote(name ?? 'contrail-control')}`;
  }

  /** Version, process and host CPU/memory, XMPP peers up and routes over every table, read together. */
  async stats(): Promise<DutStats> {
    const wall = Date.now();
    const errors: string[] = [];
    const part = <T>(what: string, p: Promise<T>): Promise<T | undefined> =>
      p.catch((err: Error) => {
        errors.push(`${what}: ${err.message}`);
        return undefined;
      });
    const [version, resources, peersUp, tables] = await Promise.all([
      part('version', this.version()),
      // The pid is looked up by the reading's own exec: one round trip to the host.
      part(
        'process',
        readProcessAndHost(this.host, { pidCommand: this.pidCommand() }, { windowMs: STATS_CPU_WINDOW_MS }),
      ),
      part('xmpp peers', this.introspect.neighborCount('xmpp', 'up')),
      part('routes', this.introspect.routeSummary('')),
    ]);
    const sum = (f: (t: NonNullable<typeof tables>[number]) => number) =>
      (tables ?? []).reduce((a, t) => a + f(t), 0);
    return {
      wall,
      version,
      resources,
      peersUp,
      routes: tables && {
        tables: tables.length,
        prefixes: sum((t) => t.prefixes),
        paths: sum((t) => t.paths),
        pendingUpdates: sum((t) => t.pendingUpdates),
      },
      errors,
    };
  }
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 2000 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}
