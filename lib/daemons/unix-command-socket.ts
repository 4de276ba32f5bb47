/**
 * One long-lived connection to a daemon's local control socket (BIRD's control socket, FRR's vty
 * socket), commands sent one at a time. A CLI process per query (birdc, vtysh, through `ip netns exec`)
 * costs 40-230 ms idle and seconds under load; a command on an open socket costs what the daemon takes
 * to answer. The socket file is reachable from any namespace (namespaces share the filesystem).
 *
 * A framer per connection says where a reply ends. A reply that never comes (timeout, abort) or a
 * malformed one drops the connection, so a late reply cannot be taken for the next command's; the next
 * request connects again.
 */
import { connect, type Socket } from 'node:net';

export interface ReplyFramer<R> {
  /** Takes received bytes; returns the replies they complete. Throws on bytes that break the protocol. */
  push(chunk: Buffer): R[];
}

export interface UnixCommandSocketOptions<R> {
  path: string;
  /** Names the daemon and socket in every error ("bird control socket /tmp/…/bird.ctl"). */
  what: string;
  /** The bytes that send one command. */
  encode: (command: string) => Buffer;
  newFramer: () => ReplyFramer<R>;
  /** The daemon greets a new connection with one reply (BIRD's "0001 BIRD 2.0.12 ready."). */
  greeting?: (reply: R) => void;
  timeoutMs: number;
}

interface Waiter<R> {
  resolve: (reply: R) => void;
  reject: (err: Error) => void;
}

class Connection<R> {
  private waiter: Waiter<R> | undefined;
  private early: R[] = [];
  failed: Error | undefined;

  constructor(
    readonly socket: Socket,
    private readonly framer: ReplyFramer<R>,
    private readonly what: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let replies: R[];
      try {
        replies = framer.push(chunk);
      } catch (err) {
        this.fail(new Error(`${what}: malformed reply: ${(err as Error).message}`));
        return;
      }
      for (const r of replies) {
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w.resolve(r);
        else if (this.early.length === 0) this.early.push(r);
        else this.fail(new Error(`${what}: a reply came that no command asked for`));
      }
    });
    socket.on('error', (err) => this.fail(new Error(`${what}: ${err.message}`)));
    socket.on('close', () => this.fail(new Error(`${what}: the daemon closed the connection`)));
  }

  /** The next reply, within timeoutMs; a timeout or abort breaks the connection. */
  next(timeoutMs: number, signal: AbortSignal | undefined): Promise<R> {
    if (this.failed) return Promise.reject(this.failed);
    const early = this.early.shift();
    if (early !== undefined) return Promise.resolve(early);
    return new Promise<R>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => this.fail(new Error(`${this.what}: aborted while waiting for a reply`));
      const timer = setTimeout(
        () => this.fail(new Error(`${this.what}: no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      if (signal?.aborted) onAbort();
    });
  }

  fail(err: Error): void {
    this.failed ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
    this.socket.destroy();
  }
}

export class UnixCommandSocket<R> {
  private connection: Promise<Connection<R>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: UnixCommandSocketOptions<R>) {}

  /** Sends one command once every earlier one has its reply; resolves with its reply. */
  request(command: string, signal?: AbortSignal): Promise<R> {
    const run = this.queue.then(() => this.send(command, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Drops the connection; later requests fail. */
  close(): void {
    this.closed = true;
    void this.connection?.then(
      (c) => c.fail(new Error(`${this.o.what}: closed`)),
      () => undefined,
    );
    this.connection = undefined;
  }

  private async send(command: string, signal: AbortSignal | undefined): Promise<R> {
    if (this.closed) throw new Error(`${this.o.what}: closed`);
    signal?.throwIfAborted();
    const bytes = this.o.encode(command);
    let c = await this.connect(signal);
    if (c.failed) {
      this.connection = undefined;
      c = await this.connect(signal);
    }
    c.socket.write(bytes);
    try {
      return await c.next(this.o.timeoutMs, signal);
    } catch (err) {
      if (this.connection && (await this.connection.catch(() => undefined)) === c)
        this.connection = undefined;
      throw new Error(`${(err as Error).message} (command: ${command})`);
    }
  }

  private connect(signal: AbortSignal | undefined): Promise<Connection<R>> {
    this.connection ??= this.open(signal).catch((err: unknown) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  private async open(signal: AbortSignal | undefined): Promise<Connection<R>> {
    const socket = connect(this.o.path);
    const c = new Connection(socket, this.o.newFramer(), this.o.what);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) => reject(new Error(`${this.o.what}: cannot connect: ${err.message}`)));
    });
    if (this.o.greeting) {
      const greeting = await c.next(this.o.timeoutMs, signal);
      try {
        this.o.greeting(greeting);
      } catch (err) {
        c.fail(err as Error);
        throw err;
      }
    }
    return c;
  }
}
