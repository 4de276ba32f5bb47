import { BgpDecodeError } from './decode-error.ts';

/** Where a scoped cursor reports its errors: one field (an attribute, a capability) and its offset. */
interface Scope {
  field: string;
  offset: number;
}

/**
 * A bounded reader over one BGP message. Every read checks the bound and fails with a
 * BgpDecodeError, so the decoders never see a RangeError from Buffer.
 */
export class ByteCursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    readonly end: number,
    readonly peer: string,
    readonly messageType: string,
    private readonly scope?: Scope,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Fails naming the scope's field, or else `field` at the current position. */
  fail(field: string, problem: string, offset = this.pos): never {
    if (this.scope) {
      throw new BgpDecodeError(this.peer, this.messageType, this.scope.field, this.scope.offset, problem);
    }
    throw new BgpDecodeError(this.peer, this.messageType, field, offset, problem);
  }

  private need(n: number, field: string): void {
    if (n > this.remaining) {
      const what = this.scope ? `${field} needs` : 'needs';
      this.fail(field, `${what} ${n} byte${n === 1 ? '' : 's'}, ${this.remaining} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++] as number;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /**
   * A cursor over the next `length` bytes whose errors all name `scope.field` at
   * `scope.offset`; this cursor moves past them. `tooLong` words the error when they are not there.
   */
  child(length: number, scope: Scope, tooLong: (left: number) => string): ByteCursor {
    if (length > this.remaining) this.fail(scope.field, tooLong(this.remaining), scope.offset);
    const c = new ByteCursor(this.buf, this.pos, this.pos + length, this.peer, this.messageType, scope);
    this.pos += length;
    return c;
  }

  /**
   * A cursor over the next `length` bytes that reports each field at its own offset; `field` and
   * `fieldOffset` name the length field that announced them.
   */
  region(length: number, field: string, fieldOffset: number): ByteCursor {
    if (length > this.remaining) {
      this.fail(field, `${length} runs past the message (${this.remaining} bytes left)`, fieldOffset);
    }
    const c = new ByteCursor(this.buf, this.pos, this.pos + length, this.peer, this.messageType, this.scope);
    this.pos += length;
    return c;
  }
}
