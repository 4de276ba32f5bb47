/**
 * The protocol vtysh speaks on a daemon's vty socket (<vty_socket dir>/bgpd.vty): a command is its text
 * followed by one NUL byte; the reply is the command's output followed by three NUL bytes and a status
 * byte (0 success; 1 warning, 2 unknown command, 3 ambiguous, 4 incomplete, ...).
 */
import type { ReplyFramer } from './unix-command-socket.ts';

export interface FrrVtyReply {
  status: number;
  text: string;
}

const END = Buffer.from([0, 0, 0]);

export function encodeFrrCommand(command: string): Buffer {
  if (command.includes('\0') || /[\r\n]/.test(command))
    throw new Error(`frr command ${JSON.stringify(command)}: one line without NUL expected`);
  return Buffer.from(command + '\0', 'utf8');
}

export class FrrVtyFramer implements ReplyFramer<FrrVtyReply> {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Where the search for the end marker goes on: output never holds NUL, so nothing before it is one. */
  private searched = 0;

  push(chunk: Buffer): FrrVtyReply[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const replies: FrrVtyReply[] = [];
    for (;;) {
      const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      this.chunks = [buf];
      const end = buf.indexOf(END, Math.max(0, this.searched - END.length));
      // The status byte must have arrived too.
      if (end < 0 || end + END.length >= buf.length) {
        this.searched = end < 0 ? buf.length : end;
        return replies;
      }
      const output = buf.subarray(0, end);
      if (output.includes(0)) throw new Error('NUL byte inside a command output');
      replies.push({ status: buf[end + END.length]!, text: output.toString('utf8') });
      const rest = buf.subarray(end + END.length + 1);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      this.searched = 0;
      if (rest.length === 0) return replies;
    }
  }
}
