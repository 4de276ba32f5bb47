/**
 * Two network namespaces, `nsc-<id>-peers` (generator peers and monitor) and `nsc-<id>-dut` (the daemon),
 * joined by one veth pair: the daemon has 198.18.0.1/16, the peers side one address per generator peer
 * plus the monitor's (topology-addresses.ts). The machine's own namespace holds neither end, so nothing
 * here touches the host's network. A keeper (lib/hosts/netns-keeper.ts) deletes the namespaces even after SIGKILL.
 */
import { randomBytes } from 'node:crypto';
import type { Host, ProcessHandle } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local-host.ts';
import { NetnsHost } from '../hosts/netns-host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import {
  DAEMON_NAMESPACE_PREFIX as NAMESPACE_PREFIX,
  parseNetnsList,
  startKeeper,
} from '../hosts/netns-keeper.ts';
import { addressPlan, PREFIX_LENGTH } from './topology-addresses.ts';
import type { DaemonTopology, TopologyOptions } from './topology.ts';

const BGP_PORT = 179;
/** The dut namespace is empty but for the daemon: its API ports can be fixed. */
const FIRST_API_PORT = 50051;
const STEP_TIMEOUT_MS = 30_000;

/** Names made from the id: namespaces and the veth pair (an interface name has at most 15 characters). */
export function topologyNames(id: string) {
  const names = {
    dut: `${NAMESPACE_PREFIX}${id}-dut`,
    peers: `${NAMESPACE_PREFIX}${id}-peers`,
    dutVeth: `${NAMESPACE_PREFIX}${id}-d`,
    peersVeth: `${NAMESPACE_PREFIX}${id}-p`,
  };
  if (names.dutVeth.length > 15) throw new Error(`topology id ${id}: too long for an interface name`);
  return names;
}

/** Whether this process can make namespaces: root and an iproute2 with netns support. */
export async function namespacesUsable(
  host: Host = new LocalHost({ runTag: 'netns-probe' }),
): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  return (await host.exec('ip netns list', { timeoutMs: 10_000 })).code === 0;
}

export async function createNetnsTopology(opts: TopologyOptions): Promise<DaemonTopology> {
  const uid = process.getuid?.();
  if (uid !== 0)
    throw new Error(
      `network namespace topology: creating namespaces needs root (running as uid ${uid}); ` +
        'run as root, or use the loopback topology (createLoopbackTopology) which needs no privileges',
    );
  const plan = addressPlan('198.18', opts.peers);
  const id = randomBytes(4).toString('hex').slice(0, 6);
  const names = topologyNames(id);
  const root = new LocalHost({ name: 'netns-root', runTag: opts.runTag });
  const keeper = await startKeeper(root, NAMESPACE_PREFIX, id, [names.dut, names.peers]);
  const topology = new NetnsTopology(id, names, plan, opts.runTag, root, keeper);
  try {
    await topology.build();
  } catch (err) {
    await topology.delete();
    throw err;
  }
  return topology;
}

class NetnsTopology implements DaemonTopology {
  readonly kind = 'netns' as const;
  readonly namespaces: { dut: string; peers: string };
  readonly dutHost: NetnsHost;
  readonly peersHost: NetnsHost;
  readonly dutAddress: string;
  readonly bgpPort = BGP_PORT;
  readonly peerAddresses: readonly string[];
  readonly peerNextHops: readonly string[];
  readonly monitorAddress: string;
  private nextApiPort = FIRST_API_PORT;
  private deleting: Promise<void> | undefined;

  constructor(
    readonly id: string,
    private readonly names: ReturnType<typeof topologyNames>,
    plan: ReturnType<typeof addressPlan>,
    runTag: string,
    private readonly root: Host,
    private readonly keeper: ProcessHandle,
  ) {
    this.namespaces = { dut: names.dut, peers: names.peers };
    this.dutHost = new NetnsHost(names.dut, runTag);
    this.peersHost = new NetnsHost(names.peers, runTag);
    this.dutAddress = plan.dut;
    this.peerAddresses = plan.peers;
    this.peerNextHops = plan.peers;
    this.monitorAddress = plan.monitor;
  }

  /** Namespaces, veth pair, addresses, links up; any failure names the step's command and its error. */
  async build(): Promise<void> {
    const n = this.names;
    const q = shellQuote;
    await this.run(`ip netns add ${q(n.peers)} && ip netns add ${q(n.dut)}`);
    // Made inside the peers namespace and its peer moved straight into the dut one.
    await this.run(
      `ip -n ${q(n.peers)} link add ${q(n.peersVeth)} type veth peer name ${q(n.dutVeth)} netns ${q(n.dut)}`,
    );
    await this.run(`ip -n ${q(n.dut)} address add ${this.dutAddress}/${PREFIX_LENGTH} dev ${q(n.dutVeth)}`);
    // One batch: thousands of peer addresses in one ip process.
    const batch = [this.monitorAddress, ...this.peerAddresses]
      .map((a) => `address add ${a}/${PREFIX_LENGTH} dev ${n.peersVeth}`)
      .join('\n');
    await this.run(`ip -n ${q(n.peers)} -batch -`, batch + '\n');
    for (const [ns, dev] of [
      [n.dut, 'lo'],
      [n.peers, 'lo'],
      [n.dut, n.dutVeth],
      [n.peers, n.peersVeth],
    ] as const)
      await this.run(`ip -n ${q(ns)} link set ${q(dev)} up`);
  }

  private async run(command: string, input?: string): Promise<void> {
    const r = await this.root.exec(command, { timeoutMs: STEP_TIMEOUT_MS, input });
    if (r.code !== 0)
      throw new Error(
        `network namespace topology ${this.id}: \`${command}\` failed (exit ${r.code}): ${r.stderr.trim()}`,
      );
  }

  async allocatePort(): Promise<number> {
    return this.nextApiPort++;
  }

  delete(): Promise<void> {
    this.deleting ??= this.deleteOnce();
    return this.deleting;
  }

  private async deleteOnce(): Promise<void> {
    // The keeper deletes the namespaces as it ends; deleting again covers a keeper that was killed.
    await this.keeper.stop({ graceMs: 5000 });
    const left = parseNetnsList(
      (await this.root.exec('ip netns list', { timeoutMs: STEP_TIMEOUT_MS })).stdout,
    ).filter((ns) => ns === this.names.dut || ns === this.names.peers);
    for (const ns of left) await this.run(`ip netns del ${shellQuote(ns)}`);
  }
}
