/**
 * Which prefixes each generator peer announces: M prefixes of one family per peer, either a block
 * of its own (`distinct`) or the same M for every peer (`shared`, so the DUT sees N paths per prefix).
 */
import { consecutivePrefixes, type Family } from './address-range.ts';

export type PrefixMode = 'distinct' | 'shared';

export interface PrefixPlanOptions {
  family: Family;
  /** Prefixes per peer (M). */
  count: number;
  /** Prefix length; 24 for ipv4 and 48 for ipv6 when left out. */
  length?: number;
  /** First prefix's address; 10.0.0.0 for ipv4 and 2001:db8:: for ipv6 when left out. */
  base?: string;
  mode: PrefixMode;
}

export const DEFAULT_PREFIX_LENGTH: Readonly<Record<Family, number>> = { ipv4: 24, ipv6: 48 };
export const DEFAULT_PREFIX_BASE: Readonly<Record<Family, string>> = { ipv4: '10.0.0.0', ipv6: '2001:db8::' };

export class PrefixPlan {
  readonly length: number;
  readonly base: string;
  private readonly blocks = new Map<number, readonly string[]>();

  constructor(
    readonly options: PrefixPlanOptions,
    /** Peers (N). */
    readonly peers: number,
  ) {
    this.length = options.length ?? DEFAULT_PREFIX_LENGTH[options.family];
    this.base = options.base ?? DEFAULT_PREFIX_BASE[options.family];
    // Fail at plan time, not at the first announce: the last block must fit the address space.
    const blocks = options.mode === 'distinct' ? peers : 1;
    consecutivePrefixes(this.base, this.length, blocks * options.count, 0);
  }

  get family(): Family {
    return this.options.family;
  }

  /** Index of the block peer i announces: equal for all peers in shared mode (their bytes can be shared too). */
  blockOf(peer: number): number {
    return this.options.mode === 'shared' ? 0 : peer;
  }

  /** The prefixes peer i announces; computed once per block. */
  prefixesOf(peer: number): readonly string[] {
    if (peer < 0 || peer >= this.peers) throw new Error(`peer index ${peer} is outside 0..${this.peers - 1}`);
    const block = this.blockOf(peer);
    let out = this.blocks.get(block);
    if (!out) {
      out = consecutivePrefixes(this.base, this.length, block * this.options.count, this.options.count);
      this.blocks.set(block, out);
    }
    return out;
  }

  /** The last prefix peer i announces (a peer's prefixes go out in order); undefined when it has none. */
  lastOf(peer: number): string | undefined {
    if (this.options.count === 0) return undefined;
    const first = this.blockOf(peer) * this.options.count;
    return consecutivePrefixes(this.base, this.length, first + this.options.count - 1, 1)[0];
  }

  /** Distinct prefixes over all peers: what a DUT (and a monitor behind it) should end up holding. */
  get distinctPrefixes(): number {
    return this.options.mode === 'shared' ? this.options.count : this.options.count * this.peers;
  }
}
