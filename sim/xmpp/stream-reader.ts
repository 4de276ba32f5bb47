/**
 * Incremental reader of an XMPP byte stream: feed it socket chunks, it emits
 * the stream header, each complete top-level stanza as an XmlElement,
 * whitespace keepalives and the stream close. Partial input is kept and
 * resumed on the next chunk, so a stanza split anywhere (even inside a
 * multi-byte character) parses the same; work per byte is constant.
 */
import { StringDecoder } from 'node:string_decoder';
import type { XmlElement } from './element.ts';

export type XmppEvent =
  | { kind: 'open'; attrs: Record<string, string> }
  | { kind: 'stanza'; stanza: XmlElement }
  | { kind: 'keepalive' }
  | { kind: 'close' };

/** Malformed XML or a stream-level violation; the peer should close the session. */
export class XmppParseError extends Error {
  override name = 'XmppParseError';
}

const STREAM_TAG = 'stream:stream';
const NAME_RE = /^[A-Za-z_][\w.:-]*$/;
const ATTR_RE = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
/** Bound on buffered, not yet complete input: a peer cannot make us hold more than this. */
const DEFAULT_MAX_PENDING = 4 * 1024 * 1024;

export class XmppStreamReader {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private opened = false;
  private closed = false;
  /** Open elements of the stanza being read (bottom = the stanza itself). */
  private readonly stack: XmlElement[] = [];

  constructor(private readonly maxPending = DEFAULT_MAX_PENDING) {}

  /** Parses a chunk; returns the events it completed. Throws XmppParseError on malformed input. */
  push(chunk: Buffer | string): XmppEvent[] {
    const events: XmppEvent[] = [];
    if (this.closed) return events;
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const lt = buf.indexOf('<', pos);
      if (lt !== pos) {
        // Character data up to the next tag (or to the end of what we have).
        if (lt < 0 && this.stack.length > 0) break; // text may continue: wait for its end
        const end = lt < 0 ? len : lt;
        const raw = buf.slice(pos, end);
        if (this.stack.length > 0) {
          this.stack[this.stack.length - 1]!.text += decodeEntities(raw);
        } else if (raw.trim() !== '') {
          throw new XmppParseError(`text outside a stanza: ${JSON.stringify(raw.slice(0, 40))}`);
        } else if (this.opened && events[events.length - 1]?.kind !== 'keepalive') {
          events.push({ kind: 'keepalive' });
        }
        pos = end;
        continue;
      }
      const c1 = buf.charCodeAt(pos + 1);
      if (Number.isNaN(c1)) break;
      if (c1 === 63 /* ? */ || buf.startsWith('<!--', pos)) {
        const closer = c1 === 63 ? '?>' : '-->';
        const end = buf.indexOf(closer, pos + 2);
        if (end < 0) break;
        pos = end + closer.length;
        continue;
      }
      if (buf.startsWith('<![CDATA[', pos)) {
        const end = buf.indexOf(']]>', pos);
        if (end < 0) break;
        if (this.stack.length === 0) throw new XmppParseError('CDATA outside a stanza');
        this.stack[this.stack.length - 1]!.text += buf.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      const gt = findTagEnd(buf, pos + 1);
      if (gt < 0) {
        if (len - pos > this.maxPending)
          throw new XmppParseError(`tag longer than ${this.maxPending} characters`);
        break;
      }
      if (c1 === 47 /* / */) {
        this.closeTag(buf.slice(pos + 2, gt).trim(), events);
      } else {
        this.openTag(buf.slice(pos + 1, gt), events);
      }
      pos = gt + 1;
      if (this.closed) break;
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
    if (this.stack.length > 0 && this.buf.length > this.maxPending) {
      throw new XmppParseError(`stanza longer than ${this.maxPending} characters`);
    }
    return events;
  }

  private openTag(inner: string, events: XmppEvent[]): void {
    const selfClosing = inner.endsWith('/');
    const body = selfClosing ? inner.slice(0, -1) : inner;
    const m = /^[^\s/>]+/.exec(body);
    const name = m?.[0] ?? '';
    if (!NAME_RE.test(name)) throw new XmppParseError(`bad element name <${inner.slice(0, 40)}>`);
    const attrs = parseAttrs(body, name.length);
    if (name === STREAM_TAG && this.stack.length === 0) {
      if (this.opened) throw new XmppParseError('second stream header');
      this.opened = true;
      events.push({ kind: 'open', attrs });
      return;
    }
    if (!this.opened) throw new XmppParseError(`<${name}> before the stream header`);
    const el: XmlElement = { name, attrs, children: [], text: '' };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(el);
    if (selfClosing) {
      if (!parent) events.push({ kind: 'stanza', stanza: el });
    } else {
      this.stack.push(el);
    }
  }

  private closeTag(name: string, events: XmppEvent[]): void {
    if (this.stack.length === 0) {
      if (name === STREAM_TAG && this.opened) {
        this.closed = true;
        events.push({ kind: 'close' });
        return;
      }
      throw new XmppParseError(`unexpected </${name}>`);
    }
    const top = this.stack.pop()!;
    if (top.name !== name) throw new XmppParseError(`</${name}> closes <${top.name}>`);
    if (this.stack.length === 0) events.push({ kind: 'stanza', stanza: top });
  }
}

/** Index of the '>' ending the tag that starts before `from`, skipping quoted attribute values; -1 if incomplete. */
function findTagEnd(buf: string, from: number): number {
  let quote = 0;
  for (let i = from; i < buf.length; i++) {
    const c = buf.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
    } else if (c === 62) {
      return i;
    } else if (c === 60) {
      throw new XmppParseError(
        `'<' inside a tag: ${JSON.stringify(buf.slice(from - 1, i + 1).slice(0, 60))}`,
      );
    }
  }
  return -1;
}

function parseAttrs(body: string, from: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  ATTR_RE.lastIndex = from;
  let pos = from;
  while (pos < body.length) {
    ATTR_RE.lastIndex = pos;
    const m = ATTR_RE.exec(body);
    if (!m) {
      if (body.slice(pos).trim() === '') break;
      throw new XmppParseError(`bad attribute syntax in <${body.slice(0, 60)}>`);
    }
    attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '');
    pos = ATTR_RE.lastIndex;
  }
  return attrs;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&([^;&\s]{1,10});/g, (_m, ent: string) => {
    const named = NAMED[ent];
    if (named !== undefined) return named;
    const code = ent.startsWith('#x')
      ? parseInt(ent.slice(2), 16)
      : ent.startsWith('#')
        ? parseInt(ent.slice(1), 10)
        : NaN;
    if (!Number.isFinite(code)) throw new XmppParseError(`unknown entity &${ent};`);
    return String.fromCodePoint(code);
  });
}
