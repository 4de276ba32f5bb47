/**
 * One emulated vrouter agent: a TCP connection from its own source address
 * to the control node, the XMPP stream, subscriptions and route publishes.
 * In processing mode it parses updates and keeps the prefixes it learned per
 * instance; in drain mode (--no-agents-updates-processing) it only counts
 * bytes after the stream header, so 1,000 agents stay cheap.
 */
import { connect, type Socket } from 'node:net';
import {
  CONTROL_NODE_JID,
  STREAM_CLOSE,
  XmppStreamReader,
  readEventMessage,
  streamOpen,
} from '../xmpp/index.ts';

export type AgentState = 'idle' | 'connecting' | 'established' | 'down';

export interface XmppAgentOptions {
  /** 1-based agent number (agent<test-id>.<n>). */
  number: number;
  jid: string;
  localAddress: string;
  server: string;
  port: number;
  /** Parse updates and keep learned prefixes; otherwise only count received bytes. */
  processUpdates: boolean;
  /** Delay between connection attempts while the session is wanted but down. */
  retryMs: number;
  /** Called when the session is (re-)established, so subscriptions and routes can be replayed. */
  onEstablished: (agent: XmppAgent, reconnect: boolean) => void;
  /** Called when the session went down without us closing it. */
  onLost: (agent: XmppAgent, reason: string) => void;
}

export class XmppAgent {
  state: AgentState = 'idle';
  bytesReceived = 0;
  lastWriteMs = 0;
  /** Instance name -> prefixes currently learned from the control node (processing mode). */
  readonly learned = new Map<string, Set<string>>();
  /** Instance id -> instance name this agent subscribed to. */
  readonly subscriptions = new Map<number, string>();
  /** Keys "<instanceId>:<routeId>" of routes currently published. */
  readonly published = new Set<string>();
  lastError = '';
  private socket: Socket | undefined;
  private reader: XmppStreamReader | undefined;
  private wanted = false;
  private everUp = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private upWaiters: (() => void)[] = [];

  constructor(readonly opts: XmppAgentOptions) {}

  get jid(): string {
    return this.opts.jid;
  }

  /** "agent0.1@vnsw.contrailsystems.com 127.0.0.1 > 127.0.0.1", as NetworkAgentMock::ToString. */
  toString(): string {
    return `${this.opts.jid} ${this.opts.localAddress} > ${this.opts.server}`;
  }

  /** Starts (or restarts) the session; reconnects after retryMs until established or sessionDown(). */
  sessionUp(): void {
    this.wanted = true;
    if (this.state === 'connecting' || this.state === 'established') return;
    this.connectOnce();
  }

  /** Resolves once established, or after timeoutMs (then the caller checks state). */
  waitEstablished(timeoutMs: number): Promise<void> {
    if (this.state === 'established') return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      const waiters = this.upWaiters;
      function done() {
        clearTimeout(t);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Writes stanzas; returns false when the socket buffer is full (wait for drain()). */
  send(data: string): boolean {
    if (!this.socket || this.state !== 'established') return true;
    this.lastWriteMs = performance.now();
    return this.socket.write(data);
  }

  get writableLength(): number {
    return this.socket?.writableLength ?? 0;
  }

  drain(): Promise<void> {
    const s = this.socket;
    if (!s || s.writableLength === 0 || this.state !== 'established') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** Closes the stream and the connection; no reconnect. Resolves when the socket is closed. */
  sessionDown(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    const s = this.socket;
    if (!s || s.destroyed) {
      this.state = this.state === 'idle' ? 'idle' : 'down';
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => s.destroy(), 2000);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (this.state === 'established') s.end(STREAM_CLOSE);
      else s.destroy();
    });
  }

  routeCount(instance: string): number {
    return this.learned.get(instance)?.size ?? 0;
  }

  private connectOnce(): void {
    this.state = 'connecting';
    this.reader = new XmppStreamReader();
    const s = connect({ host: this.opts.server, port: this.opts.port, localAddress: this.opts.localAddress });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      s.write(streamOpen({ from: this.opts.jid, to: CONTROL_NODE_JID }));
      this.lastWriteMs = performance.now();
    });
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    s.on('close', () => this.onClose(s));
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    const reader = this.reader;
    if (!reader) return;
    let events;
    try {
      events = reader.push(chunk);
    } catch (err) {
      this.lastError = `bad XML from control node: ${(err as Error).message}`;
      this.socket?.destroy();
      return;
    }
    for (const ev of events) {
      if (ev.kind === 'open') {
        this.state = 'established';
        const reconnect = this.everUp;
        this.everUp = true;
        // Drain mode: nothing after the header is parsed.
        if (!this.opts.processUpdates) this.reader = undefined;
        for (const w of this.upWaiters.splice(0)) w();
        this.opts.onEstablished(this, reconnect);
      } else if (ev.kind === 'stanza') {
        const update = readEventMessage(ev.stanza);
        if (!update || update.endOfRib) continue;
        let set = this.learned.get(update.instance);
        if (!set) this.learned.set(update.instance, (set = new Set()));
        for (const r of update.added) set.add(r.prefix);
        for (const p of update.withdrawn) set.delete(p);
      } else if (ev.kind === 'close') {
        this.socket?.end();
      }
    }
  }

  private onClose(s: Socket): void {
    if (s !== this.socket) return;
    const wasUp = this.state === 'established';
    this.state = 'down';
    this.socket = undefined;
    this.learned.clear();
    if (!this.wanted) return;
    if (wasUp) this.opts.onLost(this, this.lastError || 'closed by peer');
    this.retryTimer = setTimeout(() => {
      if (this.wanted) this.connectOnce();
    }, this.opts.retryMs);
  }
}
