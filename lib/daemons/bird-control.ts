/**
 * BIRD's control socket (the one birdc uses) on one kept-open connection: a command's reply as birdc
 * prints it, a failed command (8xxx/9xxx) an error naming the command and BIRD's words.
 *
 *   const bird = new BirdControl('/tmp/…/bird.ctl', { timeoutMs: 30_000 });
 *   const text = await bird.query('show route count'); bird.close();
 */
import {
  birdReplyFailed,
  birdReplyText,
  BirdReplyFramer,
  encodeBirdCommand,
  type BirdReply,
} from './bird-reply.ts';
import { UnixCommandSocket } from './unix-command-socket.ts';

export class BirdControl {
  private readonly socket: UnixCommandSocket<BirdReply>;
  private readonly what: string;

  constructor(path: string, o: { timeoutMs: number }) {
    const what = `bird control socket ${path}`;
    this.what = what;
    this.socket = new UnixCommandSocket({
      path,
      what,
      encode: encodeBirdCommand,
      newFramer: () => new BirdReplyFramer(),
      greeting: (r) => {
        if (r.code !== 1 || !/^BIRD /.test(r.lines[0]?.text ?? ''))
          throw new Error(`${what}: expected the greeting "0001 BIRD <version> ready.", got code ${r.code}`);
      },
      timeoutMs: o.timeoutMs,
    });
  }

  async query(command: string, signal?: AbortSignal): Promise<string> {
    const reply = await this.socket.request(command, signal);
    if (birdReplyFailed(reply))
      throw new Error(`${this.what}: \`${command}\` failed: ${reply.code} ${birdReplyText(reply).trim()}`);
    return birdReplyText(reply);
  }

  close(): void {
    this.socket.close();
  }
}
