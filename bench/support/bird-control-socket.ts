/**
 * A persistent connection to BIRD's control socket (the one birdc uses), so a benchmark can ask BIRD as
 * fast as it answers instead of paying a birdc process per question. Replies come back as birdc would
 * print them: the 4-digit code and its separator dropped, continuation lines without their leading space.
 *
 *   const bird = await BirdControlSocket.open(join(started.dir, 'bird.ctl'));
 *   const text = await bird.query('show route count'); bird.close();
 */
import { createConnection, type Socket } from 'node:net';

interface Pending {
  command: string;
  lines: string[];
  resolve: (text: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A reply ends at the first line whose code is followed by a space; 8xxx and 9xxx are errors. */
const FINAL_LINE = /^(\d{4}) /;

export class BirdControlSocket {
  private buffered = '';
  private readonly queue: Pending[] = [];
  private greeted = false;
  private closedError: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly socket: Socket,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new Error(`BIRD control socket ${path}: ${err.message}`)));
    socket.on('close', () => this.fail(new Error(`BIRD control socket ${path}: closed by BIRD`)));
  }

  /** Connects and waits for BIRD's greeting ("0001 BIRD 2.0.12 ready."). */
  static open(path: string, timeoutMs = 10_000): Promise<BirdControlSocket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const client = new BirdControlSocket(path, socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`BIRD control socket ${path}: no greeting within ${timeoutMs} ms`));
      }, timeoutMs);
      const waitGreeting = () => {
        if (client.greeted) {
          clearTimeout(timer);
          socket.off('data', waitGreeting);
          resolve(client);
        }
      };
      socket.on('data', waitGreeting);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`BIRD control socket ${path}: ${err.message}`));
      });
    });
  }

  /** One command; replies come in order, so commands queue behind each other. */
  query(command: string, timeoutMs = 60_000): Promise<string> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(
            new Error(`BIRD control socket ${this.path}: no reply to "${command}" within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      this.queue.push({ command, lines: [], resolve, reject, timer });
      this.socket.write(`${command}\n`);
    });
  }

  close(): void {
    this.closedError ??= new Error(`BIRD control socket ${this.path}: closed`);
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (!this.greeted) {
      this.greeted = FINAL_LINE.test(line);
      return;
    }
    const pending = this.queue[0];
    if (!pending) return;
    const final = FINAL_LINE.exec(line);
    pending.lines.push(/^\d{4}[ -]/.test(line) ? line.slice(5) : line.slice(1));
    if (!final) return;
    this.queue.shift();
    clearTimeout(pending.timer);
    const code = Number(final[1]);
    if (code >= 8000)
      pending.reject(
        new Error(`BIRD control socket ${this.path}: "${pending.command}" failed: ${line.slice(5)}`),
      );
    else pending.resolve(pending.lines.join('\n'));
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.socket.destroy();
  }
}
