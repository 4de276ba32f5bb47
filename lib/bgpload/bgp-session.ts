/**
 * One active BGP session to the DUT: connects from a chosen local address, exchanges OPENs, keeps
 * the session alive (keepalives, hold timer) and writes pre-encoded bytes with backpressure. Whatever
 * ends the session (a NOTIFICATION, a malformed message, TCP) becomes a BgpSessionError naming the
 * peer; nothing the DUT sends can throw out of a socket callback.
 */
import net from 'node:net';
import { BgpDecodeError } from '../bgp/decode-error.ts';
import { decodeMessage } from '../bgp/decode.ts';
import { encodeMessage } from '../bgp/encode.ts';
import { BgpFramer } from '../bgp/framer.ts';
import type { DecodedBgpMessage, EndOfRibMessage, OpenMessage, UpdateMessage } from '../bgp/message-types.ts';
import { monotonicMs } from '../clock.ts';
import { AFI_OF, negotiate, speakerOpen, type Negotiated, type SpeakerIdentity } from './speaker-open.ts';
import { BgpSessionError } from './session-error.ts';

export interface BgpSessionOptions extends SpeakerIdentity {
  /** Source address of the TCP connection (also how the generator names the peer). */
  localAddress?: string;
  remoteAddress: string;
  remotePort: number;
  /** The DUT's AS; its OPEN must carry it. Left out: any AS is accepted. */
  remoteAs?: number;
  /** Gives up when not Established within this time. */
  connectTimeoutMs: number;
  /** Every UPDATE and End-of-RIB from the DUT, with the monotonic time its bytes were read. */
  onUpdate?: (m: UpdateMessage | EndOfRibMessage, t: number) => void;
}

/** How a session ended: `error` is undefined when we closed it. */
export interface SessionEnd {
  t: number;
  reason: string;
  error?: BgpSessionError;
}

export interface WriteTimes {
  /** Monotonic ms just before the first byte was handed to the socket. */
  first: number;
  /** Monotonic ms just before the last chunk was handed to the socket: the peer can act on none of it earlier. */
  lastHanded: number;
  /** Monotonic ms the kernel had accepted the last byte (the last write's callback). */
  last: number;
}

/** NOTIFICATION codes we send (RFC 4271 4.5). */
const Notify = {
  headerError: { code: 1, subcode: 0 },
  openError: { code: 2, subcode: 0 },
  badPeerAs: { code: 2, subcode: 2 },
  updateError: { code: 3, subcode: 0 },
  holdTimerExpired: { code: 4, subcode: 0 },
  fsmError: { code: 5, subcode: 0 },
  adminShutdown: { code: 6, subcode: 2 },
  adminReset: { code: 6, subcode: 4 },
} as const;

export type CeaseReason = 'shutdown' | 'reset';

type State = 'connecting' | 'open-sent' | 'open-confirm' | 'established' | 'closed';

export class BgpSession {
  /** "local -> remote:port", the name in every error and event. */
  readonly peer: string;
  private state: State = 'connecting';
  private readonly socket: net.Socket;
  private readonly framer: BgpFramer;
  private readonly ourOpen: OpenMessage;
  private theirOpen: OpenMessage | undefined;
  private agreed: Negotiated | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private end: SessionEnd | undefined;
  private readonly endListeners: Array<(e: SessionEnd) => void> = [];
  private readonly establishedWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** Monotonic ms the session became Established. */
  establishedAt: number | undefined;

  private constructor(private readonly options: BgpSessionOptions) {
    this.peer = `${options.localAddress ?? '*'} -> ${options.remoteAddress}:${options.remotePort}`;
    this.framer = new BgpFramer(this.peer);
    this.ourOpen = speakerOpen(options);
    this.socket = net.connect({
      host: options.remoteAddress,
      port: options.remotePort,
      localAddress: options.localAddress,
    });
    // BGP messages are small and latency matters more than packet count.
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => {
      this.finish(new BgpSessionError(this.peer, 'connection', `TCP: ${err.message}`, { cause: err }));
    });
    this.socket.on('close', () => {
      this.finish(
        new BgpSessionError(
          this.peer,
          'connection',
          `the DUT closed the TCP connection in state ${this.state}`,
        ),
      );
    });
    this.connectTimer = setTimeout(() => {
      this.fail(
        new BgpSessionError(
          this.peer,
          'timeout',
          `not Established within ${options.connectTimeoutMs} ms (state ${this.state})`,
        ),
      );
    }, options.connectTimeoutMs);
  }

  /** Opens one session; resolves once Established, rejects with a BgpSessionError otherwise. */
  static async connect(options: BgpSessionOptions): Promise<BgpSession> {
    const s = new BgpSession(options);
    await new Promise<void>((resolve, reject) => {
      if (s.state === 'established') return resolve();
      if (s.end) return reject(s.end.error ?? new Error(s.end.reason));
      s.establishedWaiters.push({ resolve, reject });
    });
    return s;
  }

  get established(): boolean {
    return this.state === 'established';
  }

  /** What both OPENs agreed (hold time, extended messages, message size limit). */
  get negotiated(): Negotiated {
    if (!this.agreed) throw new Error(`peer ${this.peer}: not Established yet`);
    return this.agreed;
  }

  get remoteOpen(): OpenMessage {
    if (!this.theirOpen) throw new Error(`peer ${this.peer}: no OPEN from the DUT yet`);
    return this.theirOpen;
  }

  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  /** Set once the session ended; the reason stays. */
  get ended(): SessionEnd | undefined {
    return this.end;
  }

  onEnd(listener: (e: SessionEnd) => void): void {
    if (this.end) listener(this.end);
    else this.endListeners.push(listener);
  }

  /**
   * Writes whole messages in order. Large chunks go to the socket as they are; when the socket's
   * buffer is full we wait for 'drain' instead of queueing everything in memory.
   */
  async write(chunks: readonly Buffer[]): Promise<WriteTimes> {
    const first = monotonicMs();
    if (chunks.length === 0) return { first, lastHanded: first, last: first };
    let flushed: Promise<number> | undefined;
    let lastHanded = first;
    for (let i = 0; i < chunks.length; i++) {
      this.assertOpen();
      const chunk = chunks[i] as Buffer;
      if (i === chunks.length - 1) {
        lastHanded = monotonicMs();
        flushed = new Promise<number>((resolve, reject) => {
          this.socket.write(chunk, (err) => (err ? reject(this.writeError(err)) : resolve(monotonicMs())));
        });
        // The callback may never run if the socket is destroyed first; the rejection is handled below.
        flushed.catch(() => {});
      } else if (!this.socket.write(chunk)) {
        await this.drained();
      }
    }
    const last = await Promise.race([flushed as Promise<number>, this.endedPromise()]);
    return { first, lastHanded, last };
  }

  /** Ends the session with a Cease NOTIFICATION (administrative shutdown or reset), then closes TCP. */
  async close(reason: CeaseReason = 'shutdown'): Promise<void> {
    if (this.end) return;
    const n = reason === 'reset' ? Notify.adminReset : Notify.adminShutdown;
    const text = `closed by us (Cease / ${reason === 'reset' ? 'Administrative Reset' : 'Administrative Shutdown'})`;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (!this.socket.destroyed && this.socket.writable) {
      this.socket.end(encodeMessage({ type: 'NOTIFICATION', ...n, data: Buffer.alloc(0) }));
    }
    this.finish(undefined, text);
    // A DUT that never sends FIN back must not keep us waiting.
    const guard = setTimeout(() => this.socket.destroy(), 2000);
    if (!this.socket.destroyed) await closed;
    clearTimeout(guard);
  }

  /** Drops the TCP connection without a NOTIFICATION, as a crashed speaker would. */
  destroy(): void {
    this.finish(undefined, 'dropped by us (TCP closed, no NOTIFICATION)');
    this.socket.destroy();
  }

  private assertOpen(): void {
    if (this.end)
      throw this.end.error ?? new BgpSessionError(this.peer, 'connection', `session ${this.end.reason}`);
  }

  private writeError(err: Error): BgpSessionError {
    return (
      this.end?.error ??
      new BgpSessionError(this.peer, 'connection', `write failed: ${err.message}`, { cause: err })
    );
  }

  private endedPromise(): Promise<never> {
    return new Promise<never>((_, reject) => {
      this.onEnd((e) =>
        reject(e.error ?? new BgpSessionError(this.peer, 'connection', `session ${e.reason}`)),
      );
    });
  }

  private drained(): Promise<void> {
    return Promise.race([
      new Promise<void>((resolve) => this.socket.once('drain', () => resolve())),
      this.endedPromise(),
    ]);
  }

  private onConnect(): void {
    this.state = 'open-sent';
    this.socket.write(encodeMessage(this.ourOpen));
  }

  private onData(chunk: Buffer): void {
    // One read time for every message in the chunk: they all arrived together.
    const t = monotonicMs();
    this.holdTimer?.refresh();
    try {
      for (const buf of this.framer.push(chunk)) {
        this.handle(
          decodeMessage(buf, { peer: this.peer, extendedMessages: this.framer.extendedMessages }),
          t,
        );
        if (this.end) return;
      }
    } catch (err) {
      if (!(err instanceof BgpDecodeError)) throw err;
      const n =
        err.messageType === 'OPEN'
          ? Notify.openError
          : err.messageType === 'UPDATE'
            ? Notify.updateError
            : Notify.headerError;
      this.notifyAndFail(
        n,
        new BgpSessionError(
          this.peer,
          'malformed',
          `malformed message from the DUT: ${err.messageType}: ${err.field} at offset ${err.offset}: ${err.problem}`,
          { cause: err },
        ),
      );
    }
  }

  private handle(m: DecodedBgpMessage, t: number): void {
    switch (m.type) {
      case 'OPEN':
        return this.onOpen(m);
      case 'KEEPALIVE':
        if (this.state === 'open-confirm') this.becomeEstablished();
        return;
      case 'NOTIFICATION': {
        const data = m.data.length > 0 ? ` (data ${m.data.subarray(0, 32).toString('hex')})` : '';
        this.fail(
          new BgpSessionError(this.peer, 'notification', `NOTIFICATION from the DUT: ${m.reason}${data}`, {
            notification: { code: m.code, subcode: m.subcode },
          }),
        );
        this.socket.destroy();
        return;
      }
      case 'UPDATE':
      case 'END_OF_RIB':
        if (this.state !== 'established') {
          this.notifyAndFail(
            Notify.fsmError,
            new BgpSessionError(this.peer, 'open', `UPDATE from the DUT in state ${this.state}`),
          );
          return;
        }
        this.options.onUpdate?.(m, t);
        return;
      case 'ROUTE_REFRESH':
        // We announce from a fixed plan; a refresh request changes nothing the DUT would not get anyway.
        return;
    }
  }

  private onOpen(m: OpenMessage): void {
    if (this.state !== 'open-sent') {
      this.notifyAndFail(
        Notify.fsmError,
        new BgpSessionError(this.peer, 'open', `OPEN from the DUT in state ${this.state}`),
      );
      return;
    }
    if (this.options.remoteAs !== undefined && m.asn !== this.options.remoteAs) {
      this.notifyAndFail(
        Notify.badPeerAs,
        new BgpSessionError(
          this.peer,
          'open',
          `the DUT's OPEN carries AS ${m.asn}, expected ${this.options.remoteAs}`,
        ),
      );
      return;
    }
    const theirFamilies = m.capabilities.filter((c) => c.kind === 'multiprotocol');
    const missing = this.options.families.filter(
      (f) => theirFamilies.length > 0 && !theirFamilies.some((c) => c.afi === AFI_OF[f]),
    );
    if (missing.length > 0) {
      this.notifyAndFail(
        Notify.openError,
        new BgpSessionError(this.peer, 'open', `the DUT's OPEN does not offer ${missing.join(', ')} unicast`),
      );
      return;
    }
    this.theirOpen = m;
    this.agreed = negotiate(this.ourOpen, m);
    this.framer.extendedMessages = this.agreed.extendedMessages;
    this.state = 'open-confirm';
    this.socket.write(encodeMessage({ type: 'KEEPALIVE' }));
  }

  private becomeEstablished(): void {
    this.state = 'established';
    this.establishedAt = monotonicMs();
    clearTimeout(this.connectTimer);
    const hold = this.negotiated.holdTimeSeconds;
    if (hold > 0) {
      const keepalive = encodeMessage({ type: 'KEEPALIVE' });
      this.keepaliveTimer = setInterval(() => this.socket.write(keepalive), (hold * 1000) / 3);
      this.holdTimer = setTimeout(() => {
        this.notifyAndFail(
          Notify.holdTimerExpired,
          new BgpSessionError(
            this.peer,
            'hold-timer',
            `no message from the DUT within the hold time of ${hold} s`,
          ),
        );
      }, hold * 1000);
      this.keepaliveTimer.unref();
      this.holdTimer.unref();
    }
    for (const w of this.establishedWaiters.splice(0)) w.resolve();
  }

  /** Sends a NOTIFICATION (best effort) and ends the session with `error`. */
  private notifyAndFail(n: { code: number; subcode: number }, error: BgpSessionError): void {
    if (this.end) return;
    if (!this.socket.destroyed && this.socket.writable) {
      this.socket.end(encodeMessage({ type: 'NOTIFICATION', ...n, data: Buffer.alloc(0) }));
    }
    // Not destroyed at once: that could drop the NOTIFICATION still in the socket's buffer.
    this.finish(error);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private fail(error: BgpSessionError): void {
    this.finish(error);
    this.socket.destroy();
  }

  /** Records the first end only: later events (the close after an error) keep the first reason. */
  private finish(error: BgpSessionError | undefined, reason = error?.message ?? 'closed'): void {
    if (this.end) return;
    this.state = 'closed';
    clearTimeout(this.connectTimer);
    clearInterval(this.keepaliveTimer);
    clearTimeout(this.holdTimer);
    this.end = { t: monotonicMs(), reason, error };
    for (const w of this.establishedWaiters.splice(0)) {
      w.reject(error ?? new BgpSessionError(this.peer, 'connection', `session ${reason} before Established`));
    }
    for (const l of this.endListeners.splice(0)) l(this.end);
  }
}
