/**
 * The passive end of one BGP session, built on lib/bgp only: accepts one TCP connection, cuts it with
 * BgpFramer, decodes every message, answers the peer's OPEN with ours and a KEEPALIVE.
 */
import net from 'node:net';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import { BgpFramer } from '../../lib/bgp/framer.ts';
import type { DecodedBgpMessage, OpenMessage } from '../../lib/bgp/message-types.ts';

export class PassiveBgpPeer {
  /** Every message received, in order. */
  readonly received: DecodedBgpMessage[] = [];
  /** The wire bytes of each received message (same index): some fields do not survive decoding. */
  readonly frames: Buffer[] = [];
  /** The first thing that went wrong (decode error, socket error); the test asserts it stays undefined. */
  failure: Error | undefined;
  private readonly server = net.createServer((socket) => this.accept(socket));
  private socket: net.Socket | undefined;

  constructor(private readonly ourOpen: OpenMessage) {}

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    // One session: a second connection (a retry racing the first) is refused.
    if (this.socket) return void socket.destroy();
    this.socket = socket;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const framer = new BgpFramer(peer);
    socket.on('error', (err) => this.fail(err));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const buf of framer.push(chunk)) {
          const m = decodeMessage(buf, { peer });
          this.frames.push(Buffer.from(buf));
          this.handle(m);
        }
      } catch (err) {
        this.fail(err as Error);
        socket.destroy();
      }
    });
  }

  private handle(m: DecodedBgpMessage): void {
    this.received.push(m);
    if (m.type === 'OPEN') this.socket?.write(encodeMessage(this.ourOpen));
    // A KEEPALIVE confirms BIRD's OPEN, and answering each of BIRD's keeps our hold timer fed.
    if (m.type === 'OPEN' || m.type === 'KEEPALIVE') this.socket?.write(encodeMessage({ type: 'KEEPALIVE' }));
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }

  /** Ends the session from our side (TCP FIN, no NOTIFICATION), as a crashed peer would. */
  async closeSession(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  async close(): Promise<void> {
    await this.closeSession();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
