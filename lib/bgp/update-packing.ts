/**
 * Pre-encoded UPDATEs for a load generator: many prefixes sharing one attribute set go into as few
 * messages as the maximum message length allows, each encoded once so it can be written to any
 * number of sessions.
 */
import { frame, updateBody } from './encode.ts';
import type { PathAttribute } from './message-types.ts';
import { attributeTlv, encodeAttributes, mpReachHead, mpUnreachHead } from './path-attributes.ts';
import { encodePrefix, writeIpv4Prefix } from './prefixes.ts';
import {
  Afi,
  AttributeFlag,
  AttributeType,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  Safi,
} from './wire-codes.ts';

export interface PackOptions {
  /** 4096, or 65535 once extended messages were negotiated (RFC 8654). */
  maxMessageLength?: number;
}

export interface Announcements {
  afi: 1 | 2;
  prefixes: readonly string[];
  /** Shared by every prefix. IPv4 needs NEXT_HOP here; IPv6 gets an MP_REACH_NLRI built from `ipv6NextHops`. */
  attributes: readonly PathAttribute[];
  /** IPv6 only: a global next hop, optionally followed by a link-local one. */
  ipv6NextHops?: readonly string[];
}

/** Withdrawn routes length + path attributes length. */
const UPDATE_FIXED = HEADER_LENGTH + 4;
/** Flags, type and a 2-byte length: the most an attribute header takes. */
const LONG_ATTRIBUTE_HEADER = 4;
const EMPTY = Buffer.alloc(0);

/** Consecutive encoded prefixes joined into runs of at most `capacity` bytes (greedy: no run could take the next). */
function runs(prefixes: readonly string[], afi: number, capacity: number): Buffer[] {
  if (afi === Afi.IPV4) return ipv4Runs(prefixes, capacity);
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let size = 0;
  for (const text of prefixes) {
    const p = encodePrefix(text, afi);
    if (p.length > capacity) throw new Error(`no room for a prefix: ${capacity} bytes left per message`);
    if (size + p.length > capacity) {
      out.push(Buffer.concat(run, size));
      run = [];
      size = 0;
    }
    run.push(p);
    size += p.length;
  }
  if (size > 0) out.push(Buffer.concat(run, size));
  return out;
}

/** IPv4 runs written straight into one buffer per message (at most 5 bytes a prefix). */
function ipv4Runs(prefixes: readonly string[], capacity: number): Buffer[] {
  if (capacity < 5) throw new Error(`no room for a prefix: ${capacity} bytes left per message`);
  const out: Buffer[] = [];
  const run = Buffer.allocUnsafe(capacity + 5);
  let size = 0;
  for (const text of prefixes) {
    const end = writeIpv4Prefix(text, run, size);
    if (end > capacity) {
      // Did not fit: close the run without it and start the next one with it.
      out.push(Buffer.from(run.subarray(0, size)));
      run.copyWithin(0, size, end);
      size = end - size;
    } else size = end;
  }
  if (size > 0) out.push(Buffer.from(run.subarray(0, size)));
  return out;
}

export function packAnnouncements(batch: Announcements, options: PackOptions = {}): Buffer[] {
  const max = options.maxMessageLength ?? MAX_MESSAGE_LENGTH;
  const shared = encodeAttributes(batch.attributes);
  if (batch.afi === Afi.IPV4) {
    return runs(batch.prefixes, Afi.IPV4, max - UPDATE_FIXED - shared.length).map((nlri) => {
      return frame(MessageType.UPDATE, updateBody(EMPTY, shared, nlri), max);
    });
  }
  const head = mpReachHead(Afi.IPV6, Safi.UNICAST, batch.ipv6NextHops ?? []);
  const capacity = max - UPDATE_FIXED - shared.length - LONG_ATTRIBUTE_HEADER - head.length;
  return runs(batch.prefixes, Afi.IPV6, capacity).map((nlri) => {
    const reach = attributeTlv(
      AttributeFlag.OPTIONAL,
      AttributeType.MP_REACH_NLRI,
      Buffer.concat([head, nlri]),
    );
    return frame(MessageType.UPDATE, updateBody(EMPTY, Buffer.concat([shared, reach]), EMPTY), max);
  });
}

export function packWithdrawals(
  afi: 1 | 2,
  prefixes: readonly string[],
  options: PackOptions = {},
): Buffer[] {
  const max = options.maxMessageLength ?? MAX_MESSAGE_LENGTH;
  if (afi === Afi.IPV4) {
    return runs(prefixes, Afi.IPV4, max - UPDATE_FIXED).map((withdrawn) => {
      return frame(MessageType.UPDATE, updateBody(withdrawn, EMPTY, EMPTY), max);
    });
  }
  const head = mpUnreachHead(Afi.IPV6, Safi.UNICAST);
  return runs(prefixes, Afi.IPV6, max - UPDATE_FIXED - LONG_ATTRIBUTE_HEADER - head.length).map(
    (withdrawn) => {
      const unreach = attributeTlv(
        AttributeFlag.OPTIONAL,
        AttributeType.MP_UNREACH_NLRI,
        Buffer.concat([head, withdrawn]),
      );
      return frame(MessageType.UPDATE, updateBody(EMPTY, unreach, EMPTY), max);
    },
  );
}
