/**
 * bgp_stress_test on the test servers as the scale pipeline's load: the per-server plan
 * (lib/bgpstress planServers: instance names, test ids, agent source addresses, prefixes that never
 * overlap between servers), agent source addresses added on test servers that need them (secondary
 * addresses on the interface that routes to the control node, removed after), and one run per
 * (server, iteration) started with the scenario's knobs, a trigger file for its route sends and stdin
 * held open for --pause. The tool's own log lines become load events.
 *
 *   const load = new BgpStressLoad({ lab, scenario, xmppServer, xmppPort, logDir });
 *   await load.addSourceAddresses();
 *   await load.start(0); await load.triggerSends(0); ... await load.withdraw(0); await load.finish(0, 60);
 *   await load.stop();   // the addresses go with the lab's change record
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { monotonicMs } from '../clock.ts';
import { buildCommand } from '../bgpstress/command.ts';
import { intToIpv4, ipv4ToInt } from '../bgpstress/ipv4.ts';
import { parseBgpStressLine } from '../bgpstress/log-parser.ts';
import { planServers, type PlannedIteration, type ServerPlan } from '../bgpstress/plan.ts';
import type { RecordChange } from '../lab/lab-change.ts';
import { addAddressesCommand, routeToControlNode } from '../bgpstress/secondary-addresses.ts';
import type { TestServerConfig } from '../config/lab-schema.ts';
import type { ExitStatus, Host, ProcessHandle } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { Lab, Role } from '../lab/lab.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ContrailScope } from '../dut/contrail-control-node.ts';
import type { ExpectedLoad, GeneratorServer, Load, LoadEvent, LoadEventKind, LoadProcess } from './load.ts';

type TestServer = Role<TestServerConfig>;

/** A scenario server bound to the lab test server it runs on. */
export interface BoundServer {
  name: string;
  address: string;
  testServer: TestServer;
  /** Bound through the test server's addressPool (not its own entry). */
  pooled: boolean;
}

/** The scenario's `servers` as a list of names or addresses ({start, count} expanded). */
function exitText(s: ExitStatus): string {
  if (s.code !== null) return `exit code ${s.code}`;
  if (s.signal !== null) return `signal ${s.signal}`;
  // An SSH channel that closed without an exit status: the connection to the host went away.
  return 'no exit status: the connection to its host was lost';
}

/** Every IPv4 address the host has, on any interface. */
async function addressesOn(host: Host): Promise<Set<string>> {
  const r = await host.exec('ip -o -4 addr show', { timeoutMs: 30_000 });
  if (r.code !== 0)
    throw new Error(
      `test server ${host.name}: 'ip -o -4 addr show' exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`,
    );
  return new Set([...r.stdout.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!));
}

export function expandServers(servers: Scenario['servers']): string[] | undefined {
  if (servers === undefined || Array.isArray(servers)) return servers;
  const first = ipv4ToInt(servers.start, 'servers.start');
  return Array.from({ length: servers.count }, (_, i) => intToIpv4(first + i));
}

function inPool(address: string, pool: string | undefined): boolean {
  if (!pool || !ipaddr.IPv4.isValid(address)) return false;
  return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parseCIDR(pool));
}

/**
 * Scenario servers -> lab test servers: by host name or address, or by an address inside a test
 * server's addressPool (that server's host and settings, a source slice of its own).
 */
export function bindServers(lab: Lab, wanted: string[] | undefined): BoundServer[] {
  if (lab.testServers.length === 0)
    throw new Error(`lab ${lab.name}: no testServers to run bgp_stress_test on`);
  const own = (t: TestServer): BoundServer => ({
    name: t.hostName,
    address: t.address,
    testServer: t,
    pooled: false,
  });
  if (!wanted) return lab.testServers.map(own);
  return wanted.map((w) => {
    const found = lab.testServers.find((t) => t.hostName === w || t.address === w);
    if (found) return own(found);
    const pool = lab.testServers.find((t) => inPool(w, t.config.addressPool));
    if (pool) return { name: w, address: w, testServer: pool, pooled: true };
    throw new Error(
      `scenario servers: '${w}' is not a test server of lab ${lab.name} (have ${lab.testServers.map((t) => `${t.hostName} (${t.address})`).join(', ')})`,
    );
  });
}

/** The planner puts its text before the legacy `c<cn>_t<ts>_...`; the scenario's basename replaces that `c`. */
export function plannerVnBasename(basename: string): string {
  return basename.endsWith('c') ? basename.slice(0, -1) : `${basename}_`;
}

export interface BgpStressLoadOptions {
  lab: Lab;
  scenario: Scenario;
  /** XMPP address and port the agents connect to. */
  xmppServer: string;
  xmppPort: number;
  /** Where each run's output is written (bgp_stress_test-<server>-<test id>.log). */
  logDir: string;
}

const EVENT_OF: Partial<Record<string, LoadEventKind>> = {
  'agents-up-start': 'bring-up-start',
  'routes-feed-start': 'feed-start',
  'routes-feed-end': 'feed-end',
};

export class BgpStressLoad implements Load<ContrailScope> {
  readonly name = 'bgp_stress_test';
  readonly servers: Array<{ bound: BoundServer; plan: ServerPlan }>;
  readonly logFiles: string[] = [];
  private readonly running = new Map<number, ProcessHandle[]>();
  private readonly all = new Set<ProcessHandle>();
  private readonly listeners = new Set<(e: LoadEvent) => void>();
  private readonly processListeners = new Set<(p: LoadProcess) => void>();
  private readonly started: LoadProcess[] = [];
  /** Processes the session has let go (withdraw, drop, stop): their end is expected. */
  private readonly released = new Set<ProcessHandle>();
  /** Processes that ended while they should have held their routes, with how they ended. */
  private readonly endedEarly = new Map<ProcessHandle, string>();

  constructor(private readonly o: BgpStressLoadOptions) {
    const bound = bindServers(o.lab, expandServers(o.scenario.servers));
    const s = o.scenario;
    const plans = planServers({
      controlNode: o.xmppServer,
      xmppPort: o.xmppPort,
      // A pooled server is another address on the pool's host: its slice comes from its own address.
      servers: bound.map((b) => ({
        name: b.name,
        address: b.address,
        xmppSource: b.pooled ? undefined : b.testServer.config.xmppSource,
      })),
      iterations: s.iterations.map((it) => ({
        ninstances: it.instances,
        nagents: it.agents,
        nroutes: it.routes,
      })),
      naming: {
        riDomainName: s.vns.domain,
        riProjName: s.vns.project,
        vnBasename: plannerVnBasename(s.vns.basename),
        startBlock: s.vns.startBlock,
        nblocks: s.vns.nblocks,
      },
      sourcePrefixLen: bound[0]?.testServer.config.sourcePrefixLength,
      testIdBase: s.bgpStress.testId,
      xmppStartPrefix: s.bgpStress.xmppPrefix,
      runDefaults: {
        pause: s.bgpStress.pause,
        nevents: s.bgpStress.nevents,
        // Legacy no_verify_routes: the tool itself must not wait for routes it will not get either.
        extraFlags:
          s.verifyRoutes || /--no-verify-routes\b/.test(s.bgpStress.extraFlags)
            ? s.bgpStress.extraFlags
            : `${s.bgpStress.extraFlags} --no-verify-routes`.trim(),
        env: s.bgpStress.env,
      },
    });
    this.servers = plans.map((plan, i) => ({ bound: bound[i]!, plan }));
  }

  get generatorHosts(): number {
    return this.servers.length;
  }

  get generatorServers(): GeneratorServer[] {
    return this.servers.map((s) => ({ name: s.bound.name, host: s.bound.testServer.host }));
  }

  onProcess(listener: (p: LoadProcess) => void): () => void {
    this.processListeners.add(listener);
    return () => this.processListeners.delete(listener);
  }

  processes(): LoadProcess[] {
    return [...this.started];
  }

  get iterations(): number {
    return this.o.scenario.iterations.length;
  }

  /** Every VN fq-name the scenario needs, over all servers. */
  vnFqNames(): string[][] {
    return this.servers.flatMap((s) => s.plan.vnFqNames);
  }

  warnings(): string[] {
    return [...new Set(this.servers.flatMap((s) => s.plan.warnings))];
  }

  /** Planned iteration `k` on every server. */
  planned(k: number): Array<{ server: BgpStressLoad['servers'][number]; it: PlannedIteration }> {
    return this.servers.map((server) => ({ server, it: server.plan.iterations[k]! }));
  }

  /**
   * Each server's agents subscribe to that server's instances only, so the control node sends every
   * instance's prefixes to that server's agents: Σ over servers of instances × prefixes per instance × agents.
   */
  expected(k: number): ExpectedLoad {
    const its = this.planned(k).map((p) => p.it);
    const sum = (f: (it: PlannedIteration) => number) => its.reduce((a, it) => a + f(it), 0);
    const agents = sum((it) => it.run.nagents);
    return {
      peers: agents,
      prefixes: sum((it) => it.run.ninstances * it.prefixes.perInstance),
      agents,
      updates: sum((it) => it.run.ninstances * it.prefixes.perInstance * it.run.nagents),
    };
  }

  /** Route tables of iterations ks, and (own) only their agents among the peers. */
  scope(ks: readonly number[], own: boolean): ContrailScope {
    const its = ks.flatMap((k) => this.planned(k).map((p) => p.it));
    const tables = its.map((it) => escapeRe(it.instanceNamePrefix));
    return {
      tableRegex: `^[^:]+:[^:]+:(${tables.join('|')})\\d+:`,
      peers: own ? new RegExp(`^agent(${its.map((it) => it.testId).join('|')})\\.\\d+@`) : undefined,
    };
  }

  onEvent(listener: (e: LoadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds the agents' source addresses on each test server that asks for it (addSecondaryAddresses), on
   * the interface that routes to the control node. Addresses the server already has are left out: they
   * are not ours to remove. What is added is recorded first (`record`), so the lab's change record
   * removes it after the run, also after a crash.
   */
  async addSourceAddresses(record: RecordChange): Promise<void> {
    for (const s of this.servers) {
      const ts = s.bound.testServer;
      if (!ts.config.addSecondaryAddresses) continue;
      const host = ts.host;
      const route = await routeToControlNode(host, this.o.xmppServer);
      const present = await addressesOn(host);
      const addresses = s.plan.allSources.filter((a) => !present.has(a));
      if (addresses.length === 0) continue;
      const prefixLen = s.plan.sourcePrefixLen;
      await record({ kind: 'addresses', host: ts.hostName, device: route.device, addresses, prefixLen });
      const add = addAddressesCommand(route.device, addresses, prefixLen);
      const r = await host.exec(add.command, { input: add.input, timeoutMs: 120_000 });
      if (r.code !== 0)
        throw new Error(
          `test server ${host.name}: adding agent source addresses failed: ${r.stderr.trim().slice(0, 300)}`,
        );
    }
  }

  private trigger(server: BoundServer, it: PlannedIteration): string {
    return `${server.testServer.config.workDir}/trigger-${this.o.lab.runId}-${it.testId}`;
  }

  async start(k: number): Promise<void> {
    const started = await Promise.all(
      this.planned(k).map(({ server, it }) => this.startOne(server.bound, it)),
    );
    this.running.set(k, started);
  }

  private async startOne(server: BoundServer, it: PlannedIteration): Promise<ProcessHandle> {
    const cfg = server.testServer.config;
    const host = server.testServer.host;
    const trigger = this.trigger(server, it);
    const command = buildCommand({ ...it.run, binary: cfg.bgpStressPath, routesSendTrigger: trigger });
    const prep = await host.exec(`mkdir -p ${shellQuote(cfg.workDir)} && rm -f ${shellQuote(trigger)}`, {
      timeoutMs: 30_000,
    });
    if (prep.code !== 0)
      throw new Error(
        `test server ${host.name}: cannot prepare ${cfg.workDir} (exit ${prep.code ?? prep.signal ?? 'status lost'}): ${prep.stderr.trim()}`,
      );
    const name = `bgp_stress_test#${it.testId}@${server.name}`;
    mkdirSync(this.o.logDir, { recursive: true });
    const logFile = join(
      this.o.logDir,
      `bgp_stress_test-${server.name}-${it.testId}.log`.replace(/[^\w.-]+/g, '_'),
    );
    if (!this.logFiles.includes(logFile)) this.logFiles.push(logFile);
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`# ${host.name}: ${command}\n`);
    // Listening from the first line: the tool may print its first lines as it starts.
    const onLine = (line: string) => {
      log.write(line + '\n');
      const kind = EVENT_OF[parseBgpStressLine(line)?.kind ?? ''];
      if (kind) for (const l of this.listeners) l({ kind, t: monotonicMs(), source: name });
    };
    let p: ProcessHandle;
    try {
      // exec: the tool itself becomes the process spawn() started, so its pid is the tool's (sampled for CPU).
      p = await host.spawn(`exec ${command}`, { name, stdin: 'pipe', onLine });
    } catch (err) {
      log.end();
      throw err;
    }
    this.all.add(p);
    void p.wait().then((status) => {
      log.end();
      // With --pause the tool runs until its stdin closes: an exit before that is a lost load.
      if (this.o.scenario.bgpStress.pause && !this.released.has(p)) this.endedEarly.set(p, exitText(status));
    });
    const started: LoadProcess = { server: server.name, host, pid: p.pid, name };
    this.started.push(started);
    for (const l of this.processListeners) l(started);
    return p;
  }

  async triggerSends(k: number): Promise<void> {
    await Promise.all(
      this.planned(k).map(async ({ server, it }) => {
        const host = server.bound.testServer.host;
        const trigger = this.trigger(server.bound, it);
        const r = await host.exec(`touch ${shellQuote(trigger)}`, { timeoutMs: 30_000 });
        if (r.code !== 0)
          throw new Error(`test server ${host.name}: cannot create trigger ${trigger}: ${r.stderr.trim()}`);
      }),
    );
  }

  /** The processes of iteration k, from now on expected to end. */
  private release(k: number): ProcessHandle[] {
    const ps = this.running.get(k) ?? [];
    for (const p of ps) this.released.add(p);
    return ps;
  }

  async withdraw(k: number): Promise<void> {
    await Promise.all(this.release(k).map((p) => p.closeStdin()));
  }

  async drop(k: number): Promise<void> {
    await Promise.all(this.release(k).map((p) => p.stop({ graceMs: 0 })));
  }

  async finish(k: number, timeoutS: number): Promise<string[]> {
    const notes: string[] = [];
    for (const p of this.running.get(k) ?? []) {
      const how = this.endedEarly.get(p);
      if (how) notes.push(`load: ${p.name} on ${p.host} ended before its routes were withdrawn (${how})`);
    }
    await Promise.all(
      (this.running.get(k) ?? []).map(async (p) => {
        let timer: NodeJS.Timeout | undefined;
        const exited = await Promise.race([
          p.wait().then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutS * 1000))),
        ]);
        clearTimeout(timer);
        if (!exited) {
          notes.push(
            `stop: ${p.name} on ${p.host} did not exit within ${timeoutS} s after the pause ended; stopped`,
          );
          await p.stop({ graceMs: 2000 });
        }
      }),
    );
    return notes;
  }

  async stop(): Promise<void> {
    for (const p of this.all) this.released.add(p);
    await Promise.all([...this.all].filter((p) => !p.exited).map((p) => p.stop({ graceMs: 2000 })));
    this.all.clear();
    this.running.clear();
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
