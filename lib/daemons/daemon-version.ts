import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local-host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { BgpDaemonKind } from './bgp-daemon.ts';
import { requireDaemon } from './require-daemon.ts';

/** `<daemon> --version` ("gobgpd version 3.10.0", "BIRD version 2.0.12", "bgpd version 8.4.4") -> "3.10.0". */
export async function daemonVersion(
  kind: BgpDaemonKind,
  host: Host = new LocalHost({ runTag: 'daemon-version' }),
): Promise<string> {
  const bin = await requireDaemon(kind, host);
  const r = await host.exec(`${shellQuote(bin.daemon)} --version`, { timeoutMs: 10_000 });
  const text = r.stdout + r.stderr;
  const m = /version\s+(\d[^\s,]*)/.exec(text);
  if (!m)
    throw new Error(
      `${kind} on ${host.name}: no version in \`${bin.daemon} --version\` output: ${text.trim()}`,
    );
  return m[1]!;
}
