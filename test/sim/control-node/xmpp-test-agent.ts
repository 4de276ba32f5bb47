/**
 * Minimal raw-TCP agent for tests: connects from its own 127.x source
 * address, speaks the agent dialect through sim/xmpp, and records what the
 * control node sends back.
 */
import net from 'node:net';
import { vi } from 'vitest';
import {
  CONTROL_NODE_JID,
  XmppStreamReader,
  collectionIq,
  publishRouteIq,
  readEventMessage,
  streamOpen,
  subscribeIq,
  unsubscribeIq,
  withdrawRouteIq,
  type InetRoute,
  type RouteUpdate,
} from '../../../sim/xmpp/index.ts';
import { sleep } from '../../../lib/clock.ts';

export class TestAgent {
  readonly jid: string;
  readonly updates: RouteUpdate[] = [];
  /** instance -> prefix -> route, as the control node advertised it. */
  readonly rib = new Map<string, Map<string, InetRoute>>();
  streamAttrs: Record<string, string> | undefined;
  closed = false;
  endOfRib = false;
  /** Whitespace keepalives received from the control node. */
  keepalives = 0;
  private readonly reader = new XmppStreamReader();
  private readonly socket: net.Socket;

  private constructor(socket: net.Socket, jid: string) {
    this.socket = socket;
    this.jid = jid;
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.reader.push(chunk)) {
        if (ev.kind === 'open') this.streamAttrs = ev.attrs;
        if (ev.kind === 'keepalive') this.keepalives++;
        if (ev.kind !== 'stanza') continue;
        const u = readEventMessage(ev.stanza);
        if (!u) continue;
        this.updates.push(u);
        if (u.endOfRib) this.endOfRib = true;
        let t = this.rib.get(u.instance);
        if (!t) this.rib.set(u.instance, (t = new Map()));
        for (const r of u.added) t.set(r.prefix, r);
        for (const p of u.withdrawn) t.delete(p);
      }
    });
  }

  /** Connects from `source` (any 127.x address) and sends the stream header. */
  static async connect(port: number, source: string, jid: string): Promise<TestAgent> {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: source });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const agent = new TestAgent(socket, jid);
    agent.send(streamOpen({ from: jid, to: CONTROL_NODE_JID }));
    return agent;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(text);
  }
  subscribe(instance: string, id = 1): void {
    this.send(subscribeIq(this.jid, instance, id));
  }
  unsubscribe(instance: string): void {
    this.send(unsubscribeIq(this.jid, instance));
  }
  publish(instance: string, route: InetRoute): void {
    this.send(
      publishRouteIq(this.jid, instance, route) + collectionIq(this.jid, instance, route.prefix, 'associate'),
    );
  }
  withdraw(instance: string, prefix: string): void {
    this.send(
      withdrawRouteIq(this.jid, instance, prefix) + collectionIq(this.jid, instance, prefix, 'dissociate'),
    );
  }
  routes(instance: string): Map<string, InetRoute> {
    return this.rib.get(instance) ?? new Map();
  }
  /** Resolves when the control node has answered the stream header; rejects after timeoutMs. */
  async established(timeoutMs = 5000): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.streamAttrs === undefined && !this.closed)
          throw new Error(`${this.jid}: no stream answer within ${timeoutMs} ms`);
      },
      { timeout: timeoutMs, interval: 20 },
    );
    if (!this.streamAttrs) throw new Error(`${this.jid}: session closed before the stream was answered`);
  }
  /**
   * Whether the session is still open `ms` from now. Staying open that long is the behaviour under test
   * (hold time, tolerated input), so this waits the whole time.
   */
  async openAfter(ms: number): Promise<boolean> {
    await sleep(ms);
    return !this.closed;
  }
  close(): void {
    this.socket.destroy();
  }
}
