/**
 * The readers of the daemons' own protocols on bytes: BIRD's numbered reply lines, FRR's vty replies
 * (end marker three NULs and a status byte), and the one-connection command socket under both; the
 * byte shapes are the ones BIRD 2.0.12 and bgpd 8.4 send (bgp-daemons.test.ts runs them for real).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BirdReplyFramer, birdReplyText, type BirdReply } from '../../lib/daemons/bird-reply.ts';
import { parseBirdProtocolTable } from '../../lib/daemons/bird-state.ts';
import { encodeFrrCommand, FrrVtyFramer, type FrrVtyReply } from '../../lib/daemons/frr-vty-reply.ts';
import { UnixCommandSocket, type ReplyFramer } from '../../lib/daemons/unix-command-socket.ts';

/** Feeds the bytes one at a time: a reply may be split anywhere. */
function byteByByte<R>(framer: ReplyFramer<R>, bytes: Buffer): R[] {
  return [...bytes].flatMap((b) => framer.push(Buffer.from([b])));
}

const BIRD_BYTES = Buffer.from(
  '0001 BIRD 2.0.12 ready.\n' +
    '2002-Name       Proto      Table      State  Since         Info\n' +
    '1002-device1    Device     ---        up     12:27:50.082  \n' +
    ' n1         BGP        ---        up     12:27:50.095  Established   \n' +
    '+async notice\n' +
    '0000 \n' +
    '9001 syntax error, unexpected CF_SYM_UNDEFINED\n',
);

describe('BIRD control-socket replies', () => {
  it('ends a reply at a numbered line with a space, however the bytes arrive', () => {
    const replies = byteByByte(new BirdReplyFramer(), BIRD_BYTES);
    expect(replies.map((r) => r.code)).toEqual([1, 0, 9001]);
    expect(replies).toEqual(new BirdReplyFramer().push(BIRD_BYTES));
    const table = parseBirdProtocolTable(birdReplyText(replies[1]!));
    expect(table).toEqual([
      { name: 'device1', proto: 'Device', state: 'up', info: '' },
      { name: 'n1', proto: 'BGP', state: 'up', info: 'Established' },
    ]);
  });

  it('rejects a line that is neither numbered nor a continuation', () => {
    expect(() => new BirdReplyFramer().push(Buffer.from('0001 ready.\nhello\n'))).toThrow(
      /expected "NNNN-text", "NNNN text" or " text", got "hello"/,
    );
    expect(() => new BirdReplyFramer().push(Buffer.from(' orphan\n'))).toThrow(/continuation line/);
  });

  it('rejects a protocol table without its header', () => {
    expect(() => parseBirdProtocolTable('n1 BGP --- up 12:00:00 Established\n')).toThrow(
      /bird show protocols: expected the header/,
    );
  });
});

describe('FRR vty replies', () => {
  const reply = (text: string, status: number) =>
    Buffer.concat([Buffer.from(text), Buffer.from([0, 0, 0, status])]);

  it('ends a reply at three NULs and takes the status byte after them', () => {
    const bytes = Buffer.concat([reply('{"peers":{}}\n', 0), reply('% Unknown command\n', 2)]);
    const expected: FrrVtyReply[] = [
      { status: 0, text: '{"peers":{}}\n' },
      { status: 2, text: '% Unknown command\n' },
    ];
    expect(byteByByte(new FrrVtyFramer(), bytes)).toEqual(expected);
    expect(new FrrVtyFramer().push(bytes)).toEqual(expected);
  });

  it('waits for the status byte and rejects a NUL inside the output', () => {
    const framer = new FrrVtyFramer();
    expect(framer.push(Buffer.from([0x7b, 0, 0, 0]))).toEqual([]);
    expect(framer.push(Buffer.from([0]))).toEqual([{ status: 0, text: '{' }]);
    expect(() => new FrrVtyFramer().push(Buffer.from([0x61, 0, 0x62, 0, 0, 0, 0]))).toThrow(/NUL byte/);
    expect(() => encodeFrrCommand('show\0x')).toThrow(/one line without NUL/);
  });
});

describe('UnixCommandSocket', () => {
  let dir: string | undefined;
  let server: Server | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.length = 0;
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) await rm(dir, { recursive: true, force: true });
    server = dir = undefined;
  });

  /** A BIRD-like server: greets, then answers each line with what `answer` returns (nothing: silence). */
  async function birdLike(answer: (line: string) => string | undefined) {
    dir = await mkdtemp(join(tmpdir(), 'netscale-socket-test-'));
    const path = join(dir, 'ctl');
    let connections = 0;
    server = createServer((s) => {
      connections++;
      sockets.push(s);
      s.write('0001 BIRD test ready.\n');
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const a = answer(l);
          if (a !== undefined) s.write(a);
        }
      });
    });
    await new Promise<void>((r) => server!.listen(path, r));
    const client = new UnixCommandSocket<BirdReply>({
      path,
      what: `test bird socket ${path}`,
      encode: (c) => Buffer.from(c + '\n'),
      newFramer: () => new BirdReplyFramer(),
      greeting: (r) => {
        if (r.code !== 1) throw new Error('no greeting');
      },
      timeoutMs: 200,
    });
    return { client, connections: () => connections };
  }

  it('sends commands one at a time on one connection', async () => {
    const { client, connections } = await birdLike((l) => `1000-${l}\n 2nd\n0000 \n`);
    const replies = await Promise.all(['a', 'b', 'c'].map((c) => client.request(c)));
    expect(replies.map(birdReplyText)).toEqual(['a\n2nd\n', 'b\n2nd\n', 'c\n2nd\n']);
    expect(connections()).toBe(1);
    client.close();
  });

  it('a missing reply is an error naming the socket and command; the next request reconnects', async () => {
    const { client, connections } = await birdLike((l) => (l === 'hang' ? undefined : '0000 \n'));
    await expect(client.request('hang')).rejects.toThrow(
      /test bird socket .*: no reply within 200 ms \(command: hang\)/,
    );
    expect((await client.request('ok')).code).toBe(0);
    expect(connections()).toBe(2);
    client.close();
  });

  it('a malformed reply is an error naming the socket', async () => {
    const { client } = await birdLike(() => 'garbage\n');
    await expect(client.request('x')).rejects.toThrow(
      /test bird socket .*: malformed reply: expected "NNNN-text"/,
    );
    client.close();
  });
});
