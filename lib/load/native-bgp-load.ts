/**
 * The native BGP load generator (`netscale bgp-load`, lib/bgpload) as the scale pipeline's load on a
 * BGP daemon: iteration k runs one generator process on the topology's peers side, with `agents` peers
 * from the topology's peer addresses, each announcing `routes` prefixes (distinct blocks per peer, or the
 * same prefixes from every peer). The process reports its own moments on the monotonic clock: when it
 * began bringing up sessions, and per peer when it wrote its first and last UPDATE (feed-start,
 * feed-end: the lower bound of any convergence the daemon can show).
 *
 *   const load = new NativeBgpLoad({ scenario, topology, dut: started, logDir });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BgpProcess } from '../bgpload/bgp-process.ts';
import type { ProcessEvent } from '../bgpload/json-lines.ts';
import type { PeerRecord } from '../bgpload/peer-record.ts';
import { PrefixPlan, type PrefixMode, type PrefixPlanOptions } from '../bgpload/prefix-plan.ts';
import type { BgpLoadSpecInput } from '../bgpload/spec.ts';
import type { StartedBgpDaemon } from '../daemons/bgp-daemon.ts';
import type { DaemonTopology } from '../daemons/topology.ts';
import type { DaemonScope } from '../dut/bgp-daemon-dut.ts';
import type { BgpDaemonSettings, Scenario } from '../scenario/schema.ts';
import type { ExpectedLoad, GeneratorServer, Load, LoadEvent, LoadProcess } from './load.ts';

/** The first generator peer's AS; peer i has FIRST_PEER_AS + i. */
export const FIRST_PEER_AS = 65001;
const COMMAND_TIMEOUT_MS = 120_000;

export interface NativeBgpLoadOptions {
  scenario: Scenario;
  settings: BgpDaemonSettings;
  topology: DaemonTopology;
  dut: StartedBgpDaemon;
  logDir: string;
}

/** The neighbors a daemon needs for a scenario: every peer address any iteration uses. */
export function generatorNeighbors(
  scenario: Scenario,
  topology: DaemonTopology,
): Array<{ address: string; as: number }> {
  const most = Math.max(...scenario.iterations.map((it) => it.agents));
  if (most > topology.peerAddresses.length)
    throw new Error(
      `scenario ${scenario.name}: an iteration has ${most} agents (BGP peers), the topology has ${topology.peerAddresses.length} peer addresses`,
    );
  return topology.peerAddresses.slice(0, most).map((address, i) => ({ address, as: FIRST_PEER_AS + i }));
}

/** The prefixes of an iteration, as the generator plans them: `routes` per peer, IPv4 /24s from 10.0.0.0. */
function prefixOptions(routes: number, mode: PrefixMode): PrefixPlanOptions {
  return { family: 'ipv4', count: routes, mode };
}

/** The last prefix each generator peer of a distinct-prefix iteration sends. */
export function lastPrefixes(it: { agents: number; routes: number }): string[] {
  const plan = new PrefixPlan(prefixOptions(it.routes, 'distinct'), it.agents);
  return Array.from({ length: it.agents }, (_, i) => plan.lastOf(i)).filter((p) => p !== undefined);
}

export class NativeBgpLoad implements Load<DaemonScope> {
  readonly name = 'bgp-load';
  readonly generatorHosts = 1;
  readonly generatorServers: readonly GeneratorServer[];
  readonly logFiles: string[] = [];
  private readonly running = new Map<number, BgpProcess>();
  private readonly started: LoadProcess[] = [];
  private readonly eventListeners = new Set<(e: LoadEvent) => void>();
  private readonly processListeners = new Set<(p: LoadProcess) => void>();
  /**
   * Per iteration, the generator's per-peer records as read after each announce and withdraw, in order
   * (a flap's reconnect starts a new process: its records follow the first one's).
   */
  readonly peerRecords = new Map<number, PeerRecord[][]>();
  private starts = 0;
  private probes = 0;
  /** The iteration whose generator started last. */
  current: number | undefined;

  constructor(private readonly o: NativeBgpLoadOptions) {
    if (o.scenario.parallel)
      throw new Error(
        `scenario ${o.scenario.name}: parallel iterations are not supported against a BGP daemon`,
      );
    for (const [i, it] of o.scenario.iterations.entries())
      if (it.instances !== 1)
        throw new Error(
          `scenario ${o.scenario.name}: iterations[${i}].instances: expected 1 against a BGP daemon (one RIB), found ${it.instances}`,
        );
    generatorNeighbors(o.scenario, o.topology);
    this.generatorServers = [{ name: 'peers', host: o.topology.peersHost }];
    mkdirSync(o.logDir, { recursive: true });
  }

  get iterations(): number {
    return this.o.scenario.iterations.length;
  }

  expected(k: number): ExpectedLoad {
    const it = this.o.scenario.iterations[k]!;
    const prefixes = this.o.settings.mode === 'distinct' ? it.agents * it.routes : it.routes;
    // The daemon sends every prefix to each neighbor but the one it came from: the other peers and the monitor.
    return { peers: it.agents, prefixes, agents: it.agents, updates: prefixes * it.agents };
  }

  scope(ks: readonly number[]): DaemonScope {
    const most = Math.max(...ks.map((k) => this.o.scenario.iterations[k]!.agents));
    const distinctPerPeer = this.o.settings.mode === 'distinct';
    return {
      peers: this.o.topology.peerAddresses.slice(0, most),
      distinctPerPeer,
      lastPrefixes: distinctPerPeer ? ks.flatMap((k) => lastPrefixes(this.o.scenario.iterations[k]!)) : [],
    };
  }

  private spec(k: number): BgpLoadSpecInput {
    const it = this.o.scenario.iterations[k]!;
    const { topology, dut, settings } = this.o;
    const onLoopback = topology.peerNextHops[0] !== topology.peerAddresses[0];
    return {
      dut: { address: dut.address, port: dut.port, as: dut.localAs },
      peers: {
        count: it.agents,
        addresses: topology.peerAddresses.slice(0, it.agents),
        firstAs: FIRST_PEER_AS,
      },
      prefixes: prefixOptions(it.routes, settings.mode),
      attributes: {
        asPathLength: settings.asPathLength,
        communities: settings.communities,
        // On loopback the peers' own 127.x addresses are not next hops a daemon accepts.
        ...(onLoopback ? { nextHop: topology.peerNextHops[0] } : {}),
      },
      holdTimeSeconds: settings.holdTimeSeconds,
      connectTimeoutMs: this.o.scenario.bgpStress.timeouts.peersUpSeconds * 1000,
    };
  }

  private emit(kind: LoadEvent['kind'], t: number, source: string): void {
    for (const l of this.eventListeners) l({ kind, t, source });
  }

  private process(k: number): BgpProcess {
    const p = this.running.get(k);
    if (!p) throw new Error(`bgp-load: iteration ${k + 1} has no generator running`);
    return p;
  }

  async start(k: number): Promise<void> {
    this.current = k;
    const n = ++this.starts;
    const name = `bgp-load#${n}`;
    const specFile = join(this.o.logDir, `${name.replace('#', '-')}.spec.json`);
    writeFileSync(specFile, JSON.stringify(this.spec(k), null, 2));
    const logFile = join(this.o.logDir, `${name.replace('#', '-')}.log`);
    this.logFiles.push(logFile);
    const p = await BgpProcess.start(
      this.o.topology.peersHost,
      'bgp-load',
      specFile,
      name,
      (e: ProcessEvent) => {
        if (e.event === 'connecting') this.emit('bring-up-start', e.t, name);
      },
      logFile,
    );
    this.running.set(k, p);
    const lp: LoadProcess = { server: 'peers', host: this.o.topology.peersHost, pid: p.handle.pid, name };
    this.started.push(lp);
    for (const l of this.processListeners) l(lp);
    await p.next((e) => e.event === 'connecting', COMMAND_TIMEOUT_MS);
  }

  private async readRecords(k: number): Promise<PeerRecord[]> {
    const e = await this.process(k).command('records', (e) => e.event === 'records', COMMAND_TIMEOUT_MS);
    const records = e.event === 'records' ? e.records : [];
    this.peerRecords.set(k, [...(this.peerRecords.get(k) ?? []), records]);
    return records;
  }

  async triggerSends(k: number): Promise<void> {
    const p = this.process(k);
    // Announcing needs every session up: the pipeline asks once the daemon shows its peers.
    await p.next((e) => e.event === 'ready', COMMAND_TIMEOUT_MS);
    await p.command('announce', (e) => e.event === 'done' && e.cmd === 'announce', COMMAND_TIMEOUT_MS);
    const records = await this.readRecords(k);
    const first = records.map((r) => r.firstUpdateWritten).filter((t): t is number => t !== null);
    const last = records.map((r) => r.lastUpdateWritten).filter((t): t is number => t !== null);
    if (first.length) this.emit('feed-start', Math.min(...first), p.name);
    if (last.length) this.emit('feed-end', Math.max(...last), p.name);
  }

  async withdraw(k: number): Promise<void> {
    const p = this.process(k);
    await p.command('withdraw', (e) => e.event === 'done' && e.cmd === 'withdraw', COMMAND_TIMEOUT_MS);
    await this.readRecords(k);
    await p.handle.closeStdin();
  }

  async churn(k: number, step: 'withdraw' | 'announce', share: number): Promise<void> {
    const cmd = step === 'withdraw' ? 'churn-withdraw' : 'churn-announce';
    await this.process(k).command(
      `${cmd} ${share}`,
      (e) => e.event === 'done' && e.cmd === cmd,
      COMMAND_TIMEOUT_MS,
    );
  }

  /**
   * A probe from generator peer `address` of the iteration running now (BgpLoadGenerator.probe): resolves
   * with the moment before it was written, rejects when it could not be (no generator, session down).
   */
  async probe(address: string, prefix: string): Promise<number> {
    const k = this.current;
    const p = k === undefined ? undefined : this.running.get(k);
    if (!p) throw new Error('bgp-load: no generator running to probe from');
    const seq = ++this.probes;
    const e = await p.command(
      `probe ${address} ${prefix} ${seq}`,
      (e) => e.event === 'probe' && e.seq === seq,
      COMMAND_TIMEOUT_MS,
    );
    if (e.event !== 'probe' || e.failed)
      throw new Error(`${p.name}: probe from ${address}: ${e.event === 'probe' ? e.failed : 'no answer'}`);
    return e.t;
  }

  churnedPrefixes(k: number, share: number): number {
    const it = this.o.scenario.iterations[k]!;
    const perPeer = Math.ceil(share * it.routes);
    // Shared prefixes leave the device only when every peer has withdrawn them.
    return this.o.settings.mode === 'distinct' ? perPeer * it.agents : perPeer;
  }

  async drop(k: number): Promise<void> {
    const p = this.running.get(k);
    if (!p) return;
    await p.handle.stop({ graceMs: 2000 });
    this.running.delete(k);
  }

  async finish(k: number, timeoutS: number): Promise<string[]> {
    const p = this.running.get(k);
    if (!p) return [];
    this.running.delete(k);
    const exited = await Promise.race([
      p.handle.wait().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutS * 1000).unref()),
    ]);
    if (exited) return [];
    await p.handle.stop({ graceMs: 2000 });
    return [`load: ${p.name} did not exit within ${timeoutS} s of its withdraw and was stopped`];
  }

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((p) => p.handle.stop({ graceMs: 2000 })));
  }

  onEvent(listener: (e: LoadEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onProcess(listener: (p: LoadProcess) => void): () => void {
    this.processListeners.add(listener);
    return () => this.processListeners.delete(listener);
  }

  processes(): LoadProcess[] {
    return [...this.started];
  }

  warnings(): string[] {
    return [];
  }
}
