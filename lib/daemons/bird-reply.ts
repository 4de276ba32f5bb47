/**
 * BIRD's control-socket protocol (what birdc speaks): a command is one line; a reply is numbered lines.
 * "1007-text" starts a line of code 1007 with more to come, " text" continues the code before it,
 * "0014 text" (code, then a space) ends the reply. Code 0 is plain success, 8xxx a runtime error, 9xxx
 * a parse error. Lines starting with "+" are asynchronous notices, not part of a reply.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ReplyFramer } from './unix-command-socket.ts';

export interface BirdReplyLine {
  /** The line's code; a continuation line has the code of the line it continues. */
  code: number;
  text: string;
}

export interface BirdReply {
  /** The code of the line that ended the reply. */
  code: number;
  lines: BirdReplyLine[];
}

const CODED_LINE = /^(\d{4})([ -])(.*)$/;

export function encodeBirdCommand(command: string): Buffer {
  if (/[\r\n]/.test(command)) throw new Error(`bird command ${JSON.stringify(command)}: one line expected`);
  return Buffer.from(command + '\n', 'utf8');
}

export class BirdReplyFramer implements ReplyFramer<BirdReply> {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private lines: BirdReplyLine[] = [];
  private lastCode: number | undefined;

  push(chunk: Buffer): BirdReply[] {
    const replies: BirdReply[] = [];
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith('+')) continue;
      if (line.startsWith(' ')) {
        if (this.lastCode === undefined)
          throw new Error(
            `continuation line before any numbered line: ${JSON.stringify(line.slice(0, 100))}`,
          );
        this.lines.push({ code: this.lastCode, text: line.slice(1) });
        continue;
      }
      const m = CODED_LINE.exec(line);
      if (!m)
        throw new Error(
          `expected "NNNN-text", "NNNN text" or " text", got ${JSON.stringify(line.slice(0, 100))}`,
        );
      const code = Number(m[1]);
      this.lines.push({ code, text: m[3]! });
      if (m[2] === ' ') {
        replies.push({ code, lines: this.lines });
        this.lines = [];
        this.lastCode = undefined;
      } else this.lastCode = code;
    }
    return replies;
  }
}

/** Whether a reply reports an error (runtime 8xxx, parse 9xxx). */
export function birdReplyFailed(reply: BirdReply): boolean {
  return reply.code >= 8000;
}

/** The reply as birdc prints it: every line's text, without the empty text of code 0. */
export function birdReplyText(reply: BirdReply): string {
  return reply.lines
    .filter((l) => !(l.code === 0 && l.text === ''))
    .map((l) => l.text + '\n')
    .join('');
}
