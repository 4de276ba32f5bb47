/**
 * A passive BGP speaker on loopback standing in for a DUT, built on lib/bgp only: accepts any number
 * of sessions, answers each OPEN with its own (capabilities chosen by the test), records every
 * message per session, and lets the test send encoded messages down a session (to drive a monitor).
 */
import net from 'node:net';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import { BgpFramer } from '../../lib/bgp/framer.ts';
import type { DecodedBgpMessage, OpenMessage } from '../../lib/bgp/message-types.ts';
import { monotonicMs } from '../../lib/clock.ts';

export interface DutSession {
  /** The peer's source address. */
  remoteAddress: string;
  socket: net.Socket;
  received: DecodedBgpMessage[];
  /** Wire length of each received message (same index). */
  lengths: number[];
  /** Monotonic ms each message's bytes were read (same index). */
  readAt: number[];
  closed: boolean;
}

export class LoopbackDut {
  readonly sessions: DutSession[] = [];
  failure: Error | undefined;
  port = 0;
  private readonly server = net.createServer((s) => this.accept(s));

  constructor(
    private readonly ourOpen: OpenMessage,
    /** Set when our OPEN offers extended messages and the peer's does too. */
    private readonly extended = ourOpen.capabilities.some((c) => c.kind === 'extended-message'),
  ) {}

  listen(host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => {
        const a = this.server.address();
        this.port = typeof a === 'object' && a ? a.port : 0;
        resolve();
      });
    });
  }

  /** The latest session from `address`. */
  session(address: string): DutSession | undefined {
    return this.sessions.filter((s) => s.remoteAddress === address).at(-1);
  }

  send(s: DutSession, bytes: Buffer): void {
    s.socket.write(bytes);
  }

  private accept(socket: net.Socket): void {
    const s: DutSession = {
      remoteAddress: socket.remoteAddress ?? '?',
      socket,
      received: [],
      lengths: [],
      readAt: [],
      closed: false,
    };
    this.sessions.push(s);
    const framer = new BgpFramer(`${s.remoteAddress}:${socket.remotePort}`);
    socket.on('error', () => {});
    socket.on('close', () => (s.closed = true));
    socket.on('data', (chunk: Buffer) => {
      const t = monotonicMs();
      try {
        for (const buf of framer.push(chunk)) {
          const m = decodeMessage(buf, { peer: framer.peer, extendedMessages: framer.extendedMessages });
          s.received.push(m);
          s.lengths.push(buf.length);
          s.readAt.push(t);
          if (m.type === 'OPEN') {
            framer.extendedMessages =
              this.extended && m.capabilities.some((c) => c.kind === 'extended-message');
            socket.write(encodeMessage(this.ourOpen));
            socket.write(encodeMessage({ type: 'KEEPALIVE' }));
          }
        }
      } catch (err) {
        this.failure ??= err as Error;
        socket.destroy();
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function dutOpen(extendedMessages: boolean, asn = 65000): OpenMessage {
  return {
    type: 'OPEN',
    version: 4,
    asn,
    holdTimeSeconds: 90,
    bgpId: '127.0.0.200',
    capabilities: [
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'multiprotocol', afi: 2, safi: 1 },
      { kind: 'four-octet-as', asn },
      { kind: 'route-refresh' },
      ...(extendedMessages ? [{ kind: 'extended-message' as const }] : []),
    ],
  };
}
