/**
 * The monitor peer: one more session to the DUT that announces nothing (End-of-RIB at once) and
 * counts the prefixes the DUT re-advertises to it. Each UPDATE's read time goes into a timeline, so
 * "the DUT had delivered everything by t" is an upper bound seen from outside the DUT.
 */
import type { EndOfRibMessage, UpdateMessage } from '../bgp/message-types.ts';
import type { Family } from './address-range.ts';
import type { BgpSession, SessionEnd } from './bgp-session.ts';
import { EncodedUpdates } from './encoded-updates.ts';
import { establish } from './establish.ts';
import type { DutEndpoint } from './bgp-load-generator.ts';

export interface MonitorPeerOptions {
  dut: DutEndpoint;
  /** Source address of the monitor's session. */
  address: string;
  asn: number;
  bgpId: string;
  /** Families to receive; both by default. */
  families?: readonly Family[];
  holdTimeSeconds: number;
  extendedMessages: boolean;
  connectTimeoutMs: number;
  /** After each UPDATE that changed the count, with its read time. */
  onCount?: (count: number, t: number) => void;
  /** When the session ends for a reason other than close(). */
  onError?: (message: string, t: number) => void;
}

export interface CountSample {
  /** Monotonic ms the UPDATE's bytes were read. */
  t: number;
  /** Prefixes held after applying it. */
  count: number;
}

export interface WaitForOptions {
  /** Only UPDATEs read at or after this monotonic time count (e.g. the withdraw's start). */
  since?: number;
  /** How the target reads in the timeout message. */
  target?: string;
}

interface Waiter {
  predicate: (count: number) => boolean;
  since: number;
  resolve: (t: number) => void;
  reject: (e: Error) => void;
}

export class MonitorPeer {
  private readonly held = new Set<string>();
  private readonly samples: CountSample[] = [];
  private readonly waiters = new Set<Waiter>();
  private session: BgpSession | undefined;
  private closing = false;
  /** Monotonic ms of each End-of-RIB the DUT sent, by family. */
  readonly endOfRib = new Map<Family, number>();
  updatesProcessed = 0;

  constructor(private readonly options: MonitorPeerOptions) {}

  get families(): readonly Family[] {
    return this.options.families ?? ['ipv4', 'ipv6'];
  }

  /** Connects and, once Established, sends End-of-RIB for each family (it will announce nothing). */
  async connect(): Promise<void> {
    const o = this.options;
    const session = await establish({
      localAddress: o.address,
      remoteAddress: o.dut.address,
      remotePort: o.dut.port,
      remoteAs: o.dut.asn,
      asn: o.asn,
      bgpId: o.bgpId,
      families: this.families,
      holdTimeSeconds: o.holdTimeSeconds,
      extendedMessages: o.extendedMessages,
      connectTimeoutMs: o.connectTimeoutMs,
      onUpdate: (m, t) => this.apply(m, t),
    });
    this.session = session;
    session.onEnd((end) => this.ended(end));
    const eor = new EncodedUpdates();
    await session.write(this.families.flatMap((f) => eor.endOfRib(f).chunks));
  }

  get establishedAt(): number | undefined {
    return this.session?.establishedAt;
  }

  /** Prefixes the DUT currently advertises to us. */
  get count(): number {
    return this.held.size;
  }

  has(prefix: string): boolean {
    return this.held.has(prefix);
  }

  prefixes(): string[] {
    return [...this.held];
  }

  /** One sample per UPDATE processed (End-of-RIB excluded), in read order. */
  get timeline(): readonly CountSample[] {
    return this.samples;
  }

  /**
   * The read time of the first UPDATE at or after `options.since` (monotonic ms; the whole timeline
   * by default) after which `predicate(count)` held. Waits up to timeoutMs for it; fails naming the
   * count and the target (`options.target`, e.g. "2000") when it does not come, at once when the session ends.
   */
  waitFor(
    predicate: (count: number) => boolean,
    timeoutMs: number,
    options: WaitForOptions = {},
  ): Promise<number> {
    const since = options.since ?? -Infinity;
    const target = options.target ?? 'the predicate';
    const hit = this.samples.find((s) => s.t >= since && predicate(s.count));
    if (hit) return Promise.resolve(hit.t);
    const end = this.session?.ended;
    if (end) return Promise.reject(this.endedError(end));
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `monitor ${this.options.address}: the count did not reach the target within ${timeoutMs} ms ` +
              `(count ${this.count}, target ${target})`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        since,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** waitFor(count === n). */
  waitForCount(n: number, timeoutMs: number, since?: number): Promise<number> {
    return this.waitFor((c) => c === n, timeoutMs, { since, target: String(n) });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.session?.close('shutdown');
  }

  private apply(m: UpdateMessage | EndOfRibMessage, t: number): void {
    if (m.type === 'END_OF_RIB') {
      this.endOfRib.set(m.afi === 2 ? 'ipv6' : 'ipv4', t);
      return;
    }
    const before = this.held.size;
    for (const p of m.withdrawn) this.held.delete(p);
    for (const a of m.attributes) {
      if (a.kind === 'mp-unreach') for (const p of a.withdrawn) this.held.delete(p);
    }
    for (const p of m.nlri) this.held.add(p);
    for (const a of m.attributes) {
      if (a.kind === 'mp-reach') for (const p of a.nlri) this.held.add(p);
    }
    this.updatesProcessed++;
    const count = this.held.size;
    this.samples.push({ t, count });
    if (count !== before) this.options.onCount?.(count, t);
    for (const w of this.waiters) {
      if (t >= w.since && w.predicate(count)) {
        this.waiters.delete(w);
        w.resolve(t);
      }
    }
  }

  private endedError(end: SessionEnd): Error {
    return new Error(
      `monitor ${this.options.address}: session ended (${end.reason}) with count ${this.count}`,
    );
  }

  private ended(end: SessionEnd): void {
    if (end.error && !this.closing) this.options.onError?.(end.error.message, end.t);
    for (const w of this.waiters) w.reject(this.endedError(end));
    this.waiters.clear();
  }
}
