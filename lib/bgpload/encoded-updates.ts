/**
 * UPDATE bytes encoded once and shared: every (prefix block, attribute bytes, message limit) is packed
 * a single time however many peers announce it, and the messages are joined into large chunks so a
 * session writes a table with a few big writes.
 */
import { encodeMessage } from '../bgp/encode.ts';
import { encodeAttributes } from '../bgp/path-attributes.ts';
import { packAnnouncements, packWithdrawals, type Announcements } from '../bgp/update-packing.ts';
import { Safi } from '../bgp/wire-codes.ts';
import { monotonicMs } from '../clock.ts';
import type { Family } from './address-range.ts';
import { AFI_OF } from './speaker-open.ts';

/** Whole messages per chunk: large enough for few syscalls, small enough to interleave keepalives. */
export const CHUNK_BYTES = 1 << 20;

export interface EncodedStream {
  /** Whole messages back to back; each chunk ends on a message boundary. */
  chunks: Buffer[];
  messages: number;
  prefixes: number;
  bytes: number;
}

function chunked(messages: readonly Buffer[], prefixes: number): EncodedStream {
  const chunks: Buffer[] = [];
  let run: Buffer[] = [];
  let size = 0;
  let bytes = 0;
  for (const m of messages) {
    if (size + m.length > CHUNK_BYTES && run.length > 0) {
      chunks.push(Buffer.concat(run, size));
      run = [];
      size = 0;
    }
    run.push(m);
    size += m.length;
    bytes += m.length;
  }
  if (run.length > 0) chunks.push(Buffer.concat(run, size));
  return { chunks, messages: messages.length, prefixes, bytes };
}

export class EncodedUpdates {
  private readonly cache = new Map<string, EncodedStream>();
  /** Time spent encoding so far (ms): what pre-encoding costs, kept apart from writing. */
  encodeMs = 0;
  /** Streams encoded (cache misses) and served from the cache (hits): sharing at work. */
  encoded = 0;
  shared = 0;

  private memo(key: string, build: () => EncodedStream): EncodedStream {
    const hit = this.cache.get(key);
    if (hit) {
      this.shared++;
      return hit;
    }
    const t0 = monotonicMs();
    const out = build();
    this.encodeMs += monotonicMs() - t0;
    this.encoded++;
    this.cache.set(key, out);
    return out;
  }

  /** `block` names the prefix list (equal blocks hold equal prefixes); the attribute bytes complete the key. */
  announcements(block: string, batch: Announcements, maxMessageLength: number): EncodedStream {
    const attributeKey = [
      encodeAttributes(batch.attributes).toString('hex'),
      ...(batch.ipv6NextHops ?? []),
    ].join('|');
    return this.memo(`A|${block}|${batch.afi}|${maxMessageLength}|${attributeKey}`, () =>
      chunked(packAnnouncements(batch, { maxMessageLength }), batch.prefixes.length),
    );
  }

  withdrawals(
    block: string,
    family: Family,
    prefixes: readonly string[],
    maxMessageLength: number,
  ): EncodedStream {
    return this.memo(`W|${block}|${family}|${maxMessageLength}`, () =>
      chunked(packWithdrawals(AFI_OF[family], prefixes, { maxMessageLength }), prefixes.length),
    );
  }

  endOfRib(family: Family): EncodedStream {
    return this.memo(`E|${family}`, () =>
      chunked([encodeMessage({ type: 'END_OF_RIB', afi: AFI_OF[family], safi: Safi.UNICAST })], 0),
    );
  }
}
