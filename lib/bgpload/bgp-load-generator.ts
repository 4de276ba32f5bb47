/**
 * The native BGP load generator: N peers, each its own session from its own source address, that
 * announce a prefix plan from pre-encoded, shared UPDATE bytes, withdraw it, or flap. Every step is
 * recorded per peer on the monotonic clock (PeerRecord) as the lower bound of what the DUT can do.
 */
import { encodeMessage } from '../bgp/encode.ts';
import { monotonicMs } from '../clock.ts';
import type { Family } from './address-range.ts';
import type { BgpSession } from './bgp-session.ts';
import { EncodedUpdates, type EncodedStream } from './encoded-updates.ts';
import { establish } from './establish.ts';
import { emptyRecord, type PeerRecord } from './peer-record.ts';
import { PrefixPlan, type PrefixPlanOptions } from './prefix-plan.ts';
import { announcementsFor, type RouteAttributes } from './route-attributes.ts';

export interface GeneratorPeer {
  /** Source address of its session (must exist on this host or namespace). */
  address: string;
  asn: number;
  /** BGP identifier (IPv4). */
  bgpId: string;
}

export interface DutEndpoint {
  address: string;
  port: number;
  /** The DUT's AS; each OPEN from the DUT must carry it. Left out: not checked. */
  asn?: number;
}

export interface BgpLoadGeneratorOptions {
  dut: DutEndpoint;
  peers: readonly GeneratorPeer[];
  prefixes: PrefixPlanOptions;
  attributes: RouteAttributes;
  holdTimeSeconds: number;
  /** Offer RFC 8654 extended messages (65535-byte UPDATEs when the DUT offers them too). */
  extendedMessages: boolean;
  /** Per session: retry until Established or this much time has passed. */
  connectTimeoutMs: number;
  /** Told of every session that came up and of every session that ended without us asking. */
  onEvent?: (e: GeneratorEvent) => void;
}

export type GeneratorEvent =
  | { event: 'established'; peer: string; t: number }
  | { event: 'error'; peer: string; message: string; t: number };

type Phase = 'idle' | 'announced' | 'withdrawn';

interface PeerState {
  index: number;
  config: GeneratorPeer;
  record: PeerRecord;
  session: BgpSession | undefined;
}

export class BgpLoadGenerator {
  readonly plan: PrefixPlan;
  private readonly encoded = new EncodedUpdates();
  private readonly peers: PeerState[];
  private phase: Phase = 'idle';
  private prepared = false;
  private closing = false;

  constructor(private readonly options: BgpLoadGeneratorOptions) {
    if (options.peers.length === 0) throw new Error('peers: expected at least one generator peer');
    this.plan = new PrefixPlan(options.prefixes, options.peers.length);
    this.peers = options.peers.map((config, index) => ({
      index,
      config,
      record: emptyRecord(config.address, config.asn),
      session: undefined,
    }));
  }

  get family(): Family {
    return this.plan.family;
  }

  /** Milliseconds spent encoding UPDATEs so far (in prepare(); churn subsets at their first use). */
  get encodeMs(): number {
    return this.encoded.encodeMs;
  }

  /** Encoded streams built vs served from the cache: how much the peers share. */
  get encodeStats(): { encoded: number; shared: number } {
    return { encoded: this.encoded.encoded, shared: this.encoded.shared };
  }

  /**
   * Encodes what every peer will announce and withdraw, for each message size a session may negotiate (4096, and 65535
   * when extended messages are offered), so that nothing is encoded between Established and the first
   * write. connect() calls it when it was not called before.
   */
  prepare(): void {
    if (this.prepared) return;
    this.prepared = true;
    const sizes = this.options.extendedMessages ? [4096, 65535] : [4096];
    for (const p of this.peers)
      for (const size of sizes) {
        this.announcementsOf(p, size);
        this.withdrawalsOf(p, size);
      }
  }

  /** Prepares (when not yet done), then brings every session up in parallel. */
  async connect(): Promise<void> {
    this.prepare();
    await this.forAll('connect', this.peers, (p) => this.connectPeer(p));
  }

  /** Every peer writes its UPDATEs, then End-of-RIB. */
  async announce(): Promise<void> {
    this.phase = 'announced';
    await this.forAll('announce', this.peers, (p) => this.announcePeer(p));
  }

  /** Every peer withdraws all its prefixes (packed like the announcements), then sends nothing else. */
  async withdraw(): Promise<void> {
    this.phase = 'withdrawn';
    await this.forAll('withdraw', this.peers, async (p) => {
      const s = this.sessionOf(p);
      const stream = this.withdrawalsOf(p, s.negotiated.maxMessageLength);
      p.record.withdrawStart = monotonicMs();
      const times = await s.write(stream.chunks);
      p.record.lastWithdrawHanded = times.lastHanded;
      p.record.lastWithdrawWritten = times.last;
    });
  }

  /**
   * Churn's first half: every peer withdraws the first ceil(share x M) of its prefixes (packed, encoded
   * once per subset like the rest).
   */
  async withdrawShare(share: number): Promise<void> {
    await this.forAll('churn withdraw', this.peers, async (p) => {
      const s = this.sessionOf(p);
      const { key, prefixes } = this.shareOf(p, share);
      const stream = this.encoded.withdrawals(key, this.family, prefixes, s.negotiated.maxMessageLength);
      p.record.withdrawStart = monotonicMs();
      const times = await s.write(stream.chunks);
      p.record.lastWithdrawHanded = times.lastHanded;
      p.record.lastWithdrawWritten = times.last;
    });
  }

  /** Churn's second half: every peer announces the same share again. */
  async announceShare(share: number): Promise<void> {
    await this.forAll('churn announce', this.peers, async (p) => {
      const s = this.sessionOf(p);
      const { key, prefixes } = this.shareOf(p, share);
      const batch = announcementsFor(
        this.family,
        prefixes,
        p.config.asn,
        p.config.address,
        this.options.attributes,
      );
      const times = await s.write(
        this.encoded.announcements(key, batch, s.negotiated.maxMessageLength).chunks,
      );
      p.record.firstUpdateWritten = times.first;
      p.record.lastUpdateHanded = times.lastHanded;
      p.record.lastUpdateWritten = times.last;
    });
  }

  /** A peer's first ceil(share x M) prefixes, and the cache key of their encoding. */
  private shareOf(
    p: PeerState,
    share: number,
  ): { key: string; prefixes: ReturnType<PrefixPlan['prefixesOf']> } {
    if (!(share > 0 && share <= 1)) throw new Error(`churn: expected a share in (0, 1], found ${share}`);
    const all = this.plan.prefixesOf(p.index);
    const count = Math.ceil(share * all.length);
    return { key: `block${this.plan.blockOf(p.index)}-first${count}`, prefixes: all.slice(0, count) };
  }

  /**
   * Closes the first n peers' sessions without withdrawing (Cease / Administrative Reset), then
   * reconnects them; they re-announce if the plan is announced (and send End-of-RIB either way).
   */
  async flap(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > this.peers.length) {
      throw new Error(`flap: expected 1..${this.peers.length} peers, found ${n}`);
    }
    const chosen = this.peers.slice(0, n);
    await Promise.all(chosen.map((p) => p.session?.close('reset')));
    await this.forAll('flap', chosen, async (p) => {
      await this.connectPeer(p);
      if (this.phase === 'announced') await this.announcePeer(p);
      else
        p.record.endOfRibWritten = (
          await this.sessionOf(p).write(this.encoded.endOfRib(this.family).chunks)
        ).last;
    });
  }

  /** A copy of every peer's record, in peer order. */
  records(): PeerRecord[] {
    return this.peers.map((p) => ({ ...p.record, closed: p.record.closed && { ...p.record.closed } }));
  }

  /** Sessions currently Established. */
  get establishedPeers(): number {
    return this.peers.filter((p) => p.session?.established).length;
  }

  /**
   * A probe: peer `address` withdraws `prefix`, an IPv4 prefix it never announced, so the daemon takes
   * the message in turn with the peer's routes and changes nothing. Returns the moment before the write
   * (a lower bound on when the daemon can have read it). Not a route sent: the peer's record is unchanged.
   */
  async probe(address: string, prefix: string): Promise<number> {
    const p = this.peers.find((x) => x.config.address === address);
    if (!p) throw new Error(`probe: no peer ${address}`);
    const message = encodeMessage({ type: 'UPDATE', withdrawn: [prefix], attributes: [], nlri: [] });
    const s = this.sessionOf(p);
    const t = monotonicMs();
    await s.write([message]);
    return t;
  }

  /** Closes every session with Cease / Administrative Shutdown. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.peers.map((p) => p.session?.close('shutdown')));
  }

  private async connectPeer(p: PeerState): Promise<void> {
    const o = this.options;
    const session = await establish({
      localAddress: p.config.address,
      remoteAddress: o.dut.address,
      remotePort: o.dut.port,
      remoteAs: o.dut.asn,
      asn: p.config.asn,
      bgpId: p.config.bgpId,
      families: [this.family],
      holdTimeSeconds: o.holdTimeSeconds,
      extendedMessages: o.extendedMessages,
      connectTimeoutMs: o.connectTimeoutMs,
    });
    p.session = session;
    p.record.sessions++;
    p.record.established = session.establishedAt ?? monotonicMs();
    p.record.closed = null;
    for (const k of [
      'firstUpdateWritten',
      'lastUpdateHanded',
      'lastUpdateWritten',
      'endOfRibWritten',
    ] as const)
      p.record[k] = null;
    o.onEvent?.({ event: 'established', peer: p.config.address, t: p.record.established });
    session.onEnd((end) => {
      p.record.closed = { t: end.t, reason: end.reason };
      if (end.error && !this.closing) {
        o.onEvent?.({ event: 'error', peer: p.config.address, message: end.error.message, t: end.t });
      }
    });
  }

  private announcementsOf(p: PeerState, maxMessageLength: number): EncodedStream {
    const batch = announcementsFor(
      this.family,
      this.plan.prefixesOf(p.index),
      p.config.asn,
      p.config.address,
      this.options.attributes,
    );
    return this.encoded.announcements(`block${this.plan.blockOf(p.index)}`, batch, maxMessageLength);
  }

  private withdrawalsOf(p: PeerState, maxMessageLength: number): EncodedStream {
    const block = `block${this.plan.blockOf(p.index)}`;
    return this.encoded.withdrawals(block, this.family, this.plan.prefixesOf(p.index), maxMessageLength);
  }

  private async announcePeer(p: PeerState): Promise<void> {
    const s = this.sessionOf(p);
    const stream = this.announcementsOf(p, s.negotiated.maxMessageLength);
    const times = await s.write(stream.chunks);
    p.record.firstUpdateWritten = times.first;
    p.record.lastUpdateHanded = times.lastHanded;
    p.record.lastUpdateWritten = times.last;
    p.record.updatesWritten = stream.messages;
    p.record.prefixesAnnounced = stream.prefixes;
    p.record.endOfRibWritten = (await s.write(this.encoded.endOfRib(this.family).chunks)).last;
  }

  private sessionOf(p: PeerState): BgpSession {
    const s = p.session;
    if (!s) throw new Error(`peer ${p.config.address}: not connected (call connect() first)`);
    if (!s.established) {
      throw new Error(`peer ${p.config.address}: session is down (${s.ended?.reason ?? 'not Established'})`);
    }
    return s;
  }

  /** Runs `step` on every peer at once; fails after all finished, naming each peer that failed. */
  private async forAll(
    what: string,
    peers: readonly PeerState[],
    step: (p: PeerState) => Promise<void>,
  ): Promise<void> {
    const results = await Promise.allSettled(peers.map(step));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${peers[i]?.config.address}: ${(r.reason as Error).message}`] : [],
    );
    if (failed.length > 0) {
      throw new Error(
        `${what} failed on ${failed.length} of ${peers.length} peer(s):\n  ${failed.join('\n  ')}`,
      );
    }
  }
}
