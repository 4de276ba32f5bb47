/**
 * The data plane's own programs on the generator host: the sender (nsd-sender.c, built with the host's
 * C compiler into the work dir, once per source version) and the latency receiver (a Python script).
 * trafgen (netsniff-ng) is not used for trials: measured on this machine its rate mode (-b) achieves
 * 182 kpps when asked for 200 kpps and 112-130 kpps for 300 kpps to 1 Mpps (it sends frame by frame
 * with a sleep between), while nsd-sender holds 200-500 kpps within 0.2 % (sendmmsg batches, qdisc
 * bypassed, paced on the monotonic clock).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { DataplaneError } from './netns-dataplane.ts';

const SENDER_SOURCE = new URL('./sender/nsd-sender.c', import.meta.url);
const RECEIVER_SOURCE = new URL('./sender/latency-receiver.py', import.meta.url);

export interface DataplaneTools {
  sender: string;
  receiver: string;
}

/** Builds (or reuses) the sender and places the receiver under `workDir` on the host. */
export async function prepareTools(host: Host, workDir: string): Promise<DataplaneTools> {
  const source = readFileSync(SENDER_SOURCE, 'utf8');
  const receiverText = readFileSync(RECEIVER_SOURCE, 'utf8');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = workDir.replace(/\/+$/, '');
  const sender = `${dir}/nsd-sender-${hash}`;
  const receiver = `${dir}/latency-receiver-${hash}.py`;
  const q = shellQuote;
  const mk = await host.exec(`mkdir -p ${q(dir)}`, { timeoutMs: 10_000 });
  if (mk.code !== 0)
    throw new DataplaneError(`${host.name}: cannot create work dir ${dir}: ${mk.stderr.trim()}`);
  await host.writeFile(receiver, receiverText);
  const have = await host.exec(`test -x ${q(sender)}`, { timeoutMs: 10_000 });
  if (have.code !== 0) {
    await host.writeFile(`${sender}.c`, source);
    const cc = await host.exec(
      `cc -O2 -o ${q(`${sender}.tmp`)} ${q(`${sender}.c`)} && mv ${q(`${sender}.tmp`)} ${q(sender)}`,
      {
        timeoutMs: 120_000,
      },
    );
    if (cc.code !== 0) {
      throw new DataplaneError(
        `${host.name}: cannot build the data plane sender ${sender} from lib/dataplane/sender/nsd-sender.c (a C compiler, cc, is needed): ${cc.stderr.trim().slice(0, 500)}`,
      );
    }
  }
  const py = await host.exec('command -v python3', { timeoutMs: 10_000 });
  if (py.code !== 0)
    throw new DataplaneError(`${host.name}: python3 is needed for the latency receiver, not found on PATH`);
  return { sender, receiver };
}
