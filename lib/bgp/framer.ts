/** Cuts a TCP byte stream from one peer into whole BGP messages. */
import { readHeader } from './header.ts';
import { HEADER_LENGTH } from './wire-codes.ts';

export class BgpFramer {
  /** Bytes of a message not yet complete (at most one message's worth). */
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    readonly peer: string,
    /** Set once both OPENs carried the extended message capability (RFC 8654). */
    public extendedMessages = false,
  ) {}

  /** Bytes received but not yet part of a whole message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /**
   * Adds a chunk and returns the whole messages it completes, in order. A bad header throws a
   * BgpDecodeError; the stream cannot be resynchronised after it, so the session must close.
   */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (buf.length - at >= HEADER_LENGTH) {
      const { length } = readHeader(buf, at, { peer: this.peer, extendedMessages: this.extendedMessages });
      if (buf.length - at < length) break;
      out.push(buf.subarray(at, at + length));
      at += length;
    }
    // Copy the rest so a retained tail does not pin the whole chunk.
    this.pending = Buffer.from(buf.subarray(at));
    return out;
  }
}
