/**
 * A minimal XMPP listener for the bgp_stress_test emulator's own tests: it
 * answers the stream header, records subscriptions and associated routes
 * per agent, and reflects every route add/withdraw to the instance's
 * subscribers as pubsub event messages. Real TCP; only what the tests need.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  CONTROL_NODE_JID,
  EVENT_MESSAGE_CLOSE,
  XmppStreamReader,
  eventMessageOpen,
  itemsAddBody,
  itemsRetractBody,
  readAgentIq,
  streamOpen,
} from '../../../sim/xmpp/index.ts';

interface Session {
  socket: Socket;
  agent: string;
  localAddress: string;
  remoteAddress: string;
  subscribed: Set<string>;
}

export class TinyControlNode {
  readonly sessions = new Set<Session>();
  /** instance -> prefix -> set of agents that associated it. */
  readonly routes = new Map<string, Map<string, Set<string>>>();
  /** Every agent jid that ever opened a stream, with its source address. */
  readonly seen = new Map<string, string>();
  closedStreams = 0;
  /** Whitespace keepalives received, over all sessions. */
  keepalives = 0;
  private server: Server | undefined;

  async start(): Promise<number> {
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  prefixCount(instance: string): number {
    return this.routes.get(instance)?.size ?? 0;
  }

  totalPaths(): number {
    let n = 0;
    for (const t of this.routes.values()) for (const agents of t.values()) n += agents.size;
    return n;
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(socket: Socket): void {
    const reader = new XmppStreamReader();
    const session: Session = {
      socket,
      agent: '',
      localAddress: socket.localAddress ?? '',
      remoteAddress: socket.remoteAddress ?? '',
      subscribed: new Set(),
    };
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sessions.delete(session);
      this.withdrawRoutesOf(session);
    });
    socket.on('data', (chunk) => {
      for (const ev of reader.push(chunk)) {
        if (ev.kind === 'open') {
          session.agent = ev.attrs.from ?? '';
          this.seen.set(session.agent, session.remoteAddress);
          this.sessions.add(session);
          socket.write(streamOpen({ from: CONTROL_NODE_JID, to: session.agent, id: 'tiny' }));
        } else if (ev.kind === 'keepalive') {
          this.keepalives++;
        } else if (ev.kind === 'close') {
          this.closedStreams++;
          socket.end('</stream:stream>');
        } else if (ev.kind === 'stanza') {
          for (const req of readAgentIq(ev.stanza)) this.apply(session, req);
        }
      }
    });
  }

  /** Like the real control node: a closed session's routes are withdrawn from every other subscriber. */
  private withdrawRoutesOf(session: Session): void {
    for (const [instance, table] of this.routes) {
      for (const [prefix, agents] of [...table]) {
        if (agents.has(session.agent)) this.apply(session, { kind: 'dissociate', instance, prefix });
      }
    }
  }

  private apply(session: Session, req: ReturnType<typeof readAgentIq>[number]): void {
    if (req.kind === 'subscribe') session.subscribed.add(req.instance);
    if (req.kind === 'unsubscribe') session.subscribed.delete(req.instance);
    if (req.kind !== 'associate' && req.kind !== 'dissociate') return;
    let table = this.routes.get(req.instance);
    if (!table) this.routes.set(req.instance, (table = new Map()));
    const body =
      req.kind === 'associate'
        ? itemsAddBody(req.instance, [{ prefix: req.prefix, nextHop: '1.1.1.1', label: 16 }])
        : itemsRetractBody(req.instance, [req.prefix]);
    if (req.kind === 'associate') {
      if (!table.has(req.prefix)) table.set(req.prefix, new Set());
      table.get(req.prefix)!.add(session.agent);
    } else {
      const agents = table.get(req.prefix);
      agents?.delete(session.agent);
      if (agents && agents.size > 0) return;
      table.delete(req.prefix);
    }
    for (const s of this.sessions) {
      if (s.subscribed.has(req.instance))
        s.socket.write(eventMessageOpen(s.agent) + body + EVENT_MESSAGE_CLOSE);
    }
  }
}
