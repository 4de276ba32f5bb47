/**
 * A real Linux data plane in network namespaces on a host (root needed):
 *
 *   gen ──veth── dut ──veth── rcv        gen and rcv each also hold a calibration veth pair (c0/c1,
 *                                        c2/c3): the generator alone, without the DUT, for calibration.
 *
 * The DUT forwards in the kernel, as a router (two subnets, ip_forward) or a Linux bridge, optionally
 * shaped on its egress (TBF or HTB at `rateLimitMbit`, counting L1 bytes: see framing.ts). IPv6 is off and
 * every neighbour is static, so the only frames on the links are the ones the generator sends. Load frames
 * go to an address nobody owns behind the far end (the far namespace drops them without ICMP); latency
 * probes go to the far end's own address, where a receiver listens.
 *
 * Names: nsd-<id>-gen/-dut/-rcv, links nsd-<id>-g0 ... (13 characters, under the 15 of IFNAMSIZ).
 * Crash safety: before anything is created a keeper (lib/hosts/netns-keeper.ts) is started through
 * host.spawn (lib/hosts/guard.ts TERMs its group when this process dies, even by SIGKILL); it deletes the
 * namespaces, killing whatever still runs in them. destroy() does the same in order and stops the keeper.
 */
import { randomBytes } from 'node:crypto';
import type { Host, ProcessHandle } from '../hosts/host.ts';
import {
  DATAPLANE_NAMESPACE_PREFIX,
  deleteNamespacesCommand,
  reapLeftoverNamespaces,
  startKeeper,
} from '../hosts/netns-keeper.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { SHAPER_OVERHEAD_BYTES } from './framing.ts';
import {
  linkDelta,
  parseLinkCounters,
  parseQdiscCounters,
  type LinkCounters,
  type QdiscCounters,
} from './interface-counters.ts';

export type DutKind = 'router' | 'bridge';
export type ShaperKind = 'tbf' | 'htb';

export interface DataplaneSpec {
  dut: DutKind;
  /** Shape the DUT's egress (both directions) to this rate, Mbit/s counted with L1 overhead. */
  rateLimitMbit?: number;
  shaper?: ShaperKind;
  /** Unique part of the names; default 6 random hex digits. */
  id?: string;
}

/** One end of the data plane: where a sender sends from and a receiver counts. */
export interface Endpoint {
  ns: string;
  dev: string;
  mac: string;
  ip: string;
  /** Address load frames are sent to at this end: routed/bridged here, owned by nobody. */
  sinkIp: string;
  /** This end's calibration pair: send on calDev towards calMac, calPeerDev's (in the same namespace). */
  calDev: string;
  calMac: string;
  calPeerDev: string;
}

export const NAME_PREFIX = DATAPLANE_NAMESPACE_PREFIX;

export class DataplaneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataplaneError';
  }
}

/** `ip netns exec NS <command>` as one shell word list. */
export function inNs(ns: string, command: string): string {
  return `ip netns exec ${shellQuote(ns)} ${command}`;
}

async function run(host: Host, command: string, what: string): Promise<string> {
  const r = await host.exec(command, { timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new DataplaneError(
      `${host.name}: ${what} failed (exit ${r.code ?? r.signal}): ${command}: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

/** Fails with a clear message unless the host's user may create network namespaces. */
export async function requireRoot(host: Host): Promise<void> {
  const r = await host.exec('id -u', { timeoutMs: 10_000 });
  const uid = r.stdout.trim();
  if (uid !== '0') {
    throw new DataplaneError(
      `${host.name}: the netns data plane creates network namespaces and veth links and needs root; running as uid ${uid || '?'} (run the suite as root, e.g. sudo -E)`,
    );
  }
  const tools = await host.exec('command -v ip && command -v tc', { timeoutMs: 10_000 });
  if (tools.code !== 0) throw new DataplaneError(`${host.name}: expected iproute2 (ip, tc) on PATH`);
}

export class NetnsDataplane {
  readonly id: string;
  readonly namespaces: { gen: string; dut: string; rcv: string };
  readonly gen: Endpoint;
  readonly rcv: Endpoint;
  /** DUT interfaces facing gen (d0) and rcv (d1): the shaper sits on their egress. */
  readonly dutDevs: { towardGen: string; towardRcv: string };
  private destroyed = false;

  private constructor(
    readonly host: Host,
    readonly spec: DataplaneSpec,
    id: string,
    private readonly keeper: ProcessHandle,
    macs: Record<string, string>,
  ) {
    this.id = id;
    const p = `${NAME_PREFIX}${id}`;
    this.namespaces = { gen: `${p}-gen`, dut: `${p}-dut`, rcv: `${p}-rcv` };
    const router = spec.dut === 'router';
    this.gen = {
      ns: this.namespaces.gen,
      dev: `${p}-g0`,
      mac: macs.g0!,
      ip: '10.201.0.1',
      sinkIp: router ? '10.201.0.100' : '10.201.0.101',
      calDev: `${p}-c0`,
      calMac: macs.c1!,
      calPeerDev: `${p}-c1`,
    };
    this.rcv = {
      ns: this.namespaces.rcv,
      dev: `${p}-r0`,
      mac: macs.r0!,
      ip: router ? '10.201.1.1' : '10.201.0.2',
      sinkIp: router ? '10.201.1.100' : '10.201.0.102',
      calDev: `${p}-c2`,
      calMac: macs.c3!,
      calPeerDev: `${p}-c3`,
    };
    this.dutDevs = { towardGen: `${p}-d0`, towardRcv: `${p}-d1` };
  }

  /** Where frames from `from` must be addressed (L2) to reach the far end: the DUT's port or the far end. */
  nextHopMac(from: 'gen' | 'rcv'): string {
    if (this.spec.dut === 'bridge') return from === 'gen' ? this.rcv.mac : this.gen.mac;
    return from === 'gen' ? this.dutMacs.d0 : this.dutMacs.d1;
  }

  private dutMacs: { d0: string; d1: string } = { d0: '', d1: '' };

  static async create(host: Host, spec: DataplaneSpec): Promise<NetnsDataplane> {
    await requireRoot(host);
    const id = spec.id ?? randomBytes(3).toString('hex');
    if (!/^[a-z0-9]{1,6}$/.test(id))
      throw new DataplaneError(`dataplane id: expected 1-6 of [a-z0-9], found "${id}"`);
    const p = `${NAME_PREFIX}${id}`;
    const nss = [`${p}-gen`, `${p}-dut`, `${p}-rcv`];
    // Namespaces of crashed runs (their keeper gone, e.g. the machine rebooted mid-run) go first.
    await reapLeftoverNamespaces(host, NAME_PREFIX);
    const keeper = await startKeeper(host, NAME_PREFIX, id, nss);
    try {
      await run(host, setupScript(p, spec), `creating namespaces ${nss.join(', ')}`);
      const macs: Record<string, string> = {};
      const where: Record<string, string> = {
        g0: 'gen',
        c1: 'gen',
        r0: 'rcv',
        c3: 'rcv',
        d0: 'dut',
        d1: 'dut',
      };
      for (const [dev, ns] of Object.entries(where)) {
        const out = await run(
          host,
          `ip -n ${shellQuote(`${p}-${ns}`)} -j link show ${shellQuote(`${p}-${dev}`)}`,
          `reading ${p}-${dev}`,
        );
        macs[dev] = String((JSON.parse(out) as Array<{ address: string }>)[0]?.address);
      }
      const dp = new NetnsDataplane(host, spec, id, keeper, macs);
      dp.dutMacs = { d0: macs.d0!, d1: macs.d1! };
      await run(host, neighbourScript(dp), 'adding static neighbours');
      return dp;
    } catch (err) {
      await keeper.stop({ graceMs: 5000 });
      throw err;
    }
  }

  async linkCounters(ns: string, dev: string): Promise<LinkCounters> {
    const out = await run(
      this.host,
      `ip -n ${shellQuote(ns)} -s -j link show ${shellQuote(dev)}`,
      `counters of ${ns}/${dev}`,
    );
    return parseLinkCounters(out, `${this.host.name}:${ns}/${dev}`);
  }

  async qdiscCounters(ns: string, dev: string): Promise<QdiscCounters> {
    const out = await run(
      this.host,
      `tc -n ${shellQuote(ns)} -s -j qdisc show dev ${shellQuote(dev)}`,
      `qdisc of ${ns}/${dev}`,
    );
    return parseQdiscCounters(out, `${this.host.name}:${ns}/${dev} qdisc`);
  }

  /** Reads rx counters of `ns/dev` until two reads 20 ms apart agree (frames still queued in the DUT arrive). */
  async settledRx(ns: string, dev: string, maxMs = 2000): Promise<LinkCounters> {
    let prev = await this.linkCounters(ns, dev);
    for (let waited = 0; waited < maxMs; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      const cur = await this.linkCounters(ns, dev);
      if (linkDelta(prev, cur).rxPackets === 0) return cur;
      prev = cur;
    }
    return prev;
  }

  /** Deletes the namespaces (and everything in them), then stops the keeper. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      await run(
        this.host,
        deleteNamespacesCommand(Object.values(this.namespaces)),
        `deleting ${Object.values(this.namespaces).join(', ')}`,
      );
    } finally {
      await this.keeper.stop({ graceMs: 5000 });
    }
  }
}

function setupScript(p: string, spec: DataplaneSpec): string {
  const ns = { gen: `${p}-gen`, dut: `${p}-dut`, rcv: `${p}-rcv` };
  const q = shellQuote;
  const lines: string[] = ['set -e'];
  for (const n of Object.values(ns)) {
    lines.push(`ip netns add ${q(n)}`);
    lines.push(`ip -n ${q(n)} link set lo up`);
    // New namespaces may inherit the host's ip_forward: only the DUT forwards.
    lines.push(
      `ip netns exec ${q(n)} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=0`,
    );
  }
  // Created inside the namespaces: nothing is ever left in the host's own namespace.
  const pair = (a: string, an: string, b: string, bn: string) =>
    `ip link add ${q(`${p}-${a}`)} netns ${q(an)} type veth peer name ${q(`${p}-${b}`)} netns ${q(bn)}`;
  lines.push(pair('g0', ns.gen, 'd0', ns.dut), pair('d1', ns.dut, 'r0', ns.rcv));
  lines.push(pair('c0', ns.gen, 'c1', ns.gen), pair('c2', ns.rcv, 'c3', ns.rcv));
  const up = (n: string, dev: string) => `ip -n ${q(n)} link set ${q(`${p}-${dev}`)} up`;
  for (const [n, devs] of [
    [ns.gen, ['g0', 'c0', 'c1']],
    [ns.dut, ['d0', 'd1']],
    [ns.rcv, ['r0', 'c2', 'c3']],
  ] as const) {
    for (const d of devs) lines.push(up(n, d));
  }
  if (spec.dut === 'router') {
    lines.push(`ip -n ${q(ns.gen)} addr add 10.201.0.1/24 dev ${q(`${p}-g0`)}`);
    lines.push(`ip -n ${q(ns.dut)} addr add 10.201.0.254/24 dev ${q(`${p}-d0`)}`);
    lines.push(`ip -n ${q(ns.dut)} addr add 10.201.1.254/24 dev ${q(`${p}-d1`)}`);
    lines.push(`ip -n ${q(ns.rcv)} addr add 10.201.1.1/24 dev ${q(`${p}-r0`)}`);
    lines.push(`ip netns exec ${q(ns.dut)} sysctl -qw net.ipv4.ip_forward=1`);
  } else {
    lines.push(`ip -n ${q(ns.dut)} link add br0 type bridge forward_delay 0 stp_state 0`);
    lines.push(`ip -n ${q(ns.dut)} link set ${q(`${p}-d0`)} master br0`);
    lines.push(`ip -n ${q(ns.dut)} link set ${q(`${p}-d1`)} master br0`);
    lines.push(`ip -n ${q(ns.dut)} link set br0 up`);
    lines.push(`ip -n ${q(ns.gen)} addr add 10.201.0.1/24 dev ${q(`${p}-g0`)}`);
    lines.push(`ip -n ${q(ns.rcv)} addr add 10.201.0.2/24 dev ${q(`${p}-r0`)}`);
  }
  if (spec.rateLimitMbit !== undefined) {
    for (const d of ['d0', 'd1'])
      lines.push(shaperCommand(ns.dut, `${p}-${d}`, spec.rateLimitMbit, spec.shaper ?? 'tbf'));
  }
  return lines.join('\n');
}

/** How long the shaper's queue may hold frames (TBF latency). */
export const SHAPER_QUEUE_MS = 5;

/** The shaper's bucket: 1 ms at the rate, at least 32 KB (TBF needs >= rate / HZ). */
export function shaperBurstBytes(mbit: number): number {
  return Math.max(32_768, Math.round((mbit * 1e6) / 8 / 1000));
}

/**
 * Bytes (as the shaper counts them, L1) a trial may pass above the rate: a full bucket at the start, and
 * a full queue (SHAPER_QUEUE_MS at the rate, plus a bucket) still draining at the end. At 200 Mbit/s and
 * 1 s trials that is 190 KB, 0.76 % of the rate.
 */
export function shaperSlackBytes(mbit: number): number {
  return 2 * shaperBurstBytes(mbit) + ((mbit * 1e6) / 8) * (SHAPER_QUEUE_MS / 1000);
}

/** Shaper on a DUT port's egress counting L1 bytes (overhead 24: FCS + preamble + IFG, see framing.ts). */
export function shaperCommand(ns: string, dev: string, mbit: number, kind: ShaperKind): string {
  const q = shellQuote;
  const rate = `${Math.round(mbit * 1000)}kbit`;
  const burst = shaperBurstBytes(mbit);
  if (kind === 'tbf') {
    return `tc -n ${q(ns)} qdisc replace dev ${q(dev)} root tbf rate ${rate} burst ${burst} latency ${SHAPER_QUEUE_MS}ms overhead ${SHAPER_OVERHEAD_BYTES}`;
  }
  return [
    `tc -n ${q(ns)} qdisc replace dev ${q(dev)} root handle 1: htb default 1`,
    `tc -n ${q(ns)} class add dev ${q(dev)} parent 1: classid 1:1 htb rate ${rate} ceil ${rate} burst ${burst} overhead ${SHAPER_OVERHEAD_BYTES}`,
  ].join('\n');
}

function neighbourScript(dp: NetnsDataplane): string {
  const q = shellQuote;
  const lines: string[] = ['set -e'];
  const neigh = (ns: string, ip: string, mac: string, dev: string) =>
    lines.push(`ip -n ${q(ns)} neigh replace ${ip} lladdr ${mac} dev ${q(dev)} nud permanent`);
  const { dut } = dp.namespaces;
  if (dp.spec.dut === 'router') {
    // The DUT forwards load to the sink addresses and probes to the ends, without ARP.
    for (const end of [dp.gen, dp.rcv]) {
      const dev = end === dp.gen ? dp.dutDevs.towardGen : dp.dutDevs.towardRcv;
      neigh(dut, end.ip, end.mac, dev);
      neigh(dut, end.sinkIp, end.mac, dev);
    }
  }
  return lines.join('\n');
}

/** Resolves once the process prints `line`; rejects if it exits or `ms` pass first. */
export function waitForLine(p: ProcessHandle, line: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new DataplaneError(
          `${p.host}: ${p.name} did not print "${line}" within ${ms} ms: ${p.output().slice(-300)}`,
        ),
      );
    }, ms);
    const done = (err?: Error) => {
      clearTimeout(timer);
      off();
      if (err) reject(err);
      else resolve();
    };
    const off = p.onLine((l) => {
      if (l.trim() === line) done();
    });
    if (
      p
        .output()
        .split('\n')
        .some((l) => l.trim() === line)
    )
      done();
    void p
      .wait()
      .then(() =>
        done(
          new DataplaneError(
            `${p.host}: ${p.name} exited before printing "${line}": ${p.output().slice(-300)}`,
          ),
        ),
      );
  });
}
