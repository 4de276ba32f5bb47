/**
 * The two Host implementations as contract-test subjects: a LocalHost, and an
 * SshHost connected as root with a key to a real sshd started by sshd.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Host } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { SshHost } from '../../lib/hosts/ssh-host.ts';
import { sshHostOptions, startSshd, type Sshd } from './sshd.ts';

export interface HostUnderTest {
  kind: 'local' | 'ssh';
  host: Host;
  runTag: string;
  /** Another host of the same kind tagging with `runTag`. */
  open(runTag: string): Host;
  stop(): Promise<void>;
}

export function newRunTag(label = 'test'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export async function startHostUnderTest(kind: 'local' | 'ssh'): Promise<HostUnderTest> {
  const runTag = newRunTag(kind);
  if (kind === 'local') {
    const open = (tag: string) => new LocalHost({ name: 'local', runTag: tag });
    const host = open(runTag);
    return { kind, host, runTag, open, stop: () => host.close() };
  }
  const sshd: Sshd = await startSshd();
  const opened: Host[] = [];
  const open = (tag: string) => {
    const h = new SshHost({ ...sshHostOptions(sshd), runTag: tag });
    opened.push(h);
    return h;
  };
  const host = open(runTag);
  return {
    kind,
    host,
    runTag,
    open,
    stop: async () => {
      for (const h of opened) await h.close();
      await sshd.stop();
    },
  };
}
