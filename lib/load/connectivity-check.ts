/**
 * Before agents start, a test server proves it reaches the control node's XMPP address and port FROM its
 * agents' source addresses (legacy check_and_fix_connectivity ping): a secondary address that is missing,
 * not routed back, or filtered shows up here, named, instead of as agents that never come up.
 *
 * One command on the server tries every sampled source, with the first of these tools the server has:
 *   python3  bind(source) + TCP connect: proves the XMPP port accepts a connection from that source.
 *   perl     the same with IO::Socket::INET (perl-base is on nearly every Linux, python3 is not); IPv4 only.
 *   curl     --interface <source> telnet://addr:port: the same TCP proof (time_connect > 0). curl's telnet
 *            sends a few option bytes, which the control node rejects and closes: harmless. A connected
 *            attempt lasts the whole timeout, so sources are tried in parallel.
 *   ping     -I <source>: proves only that ICMP echo gets there and back from that source, not that the
 *            port is open; the report says so (proves: 'icmp-echo').
 * Not used: bash's /dev/tcp (cannot bind a source address); nc (its variants disagree on -s and -z, and a
 * usage error looks like a failed connection).
 *
 *   const report = await checkConnectivity({ host, server: 'ts1', sources, target: { address, port: 5269 },
 *     timeoutMs: 3000, sample: 5 });   // throws ConnectivityError naming server, source and error
 *   sampleSources(['a', 'b', 'c', 'd', 'e'], 3) -> ['a', 'c', 'e']
 */
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';

/** Tools in the order they are tried; the first the host has is used for every source. */
export const CONNECT_TOOLS = ['python3', 'perl', 'curl', 'ping'] as const;
export type ConnectTool = (typeof CONNECT_TOOLS)[number];

export interface ConnectivityCheckOptions {
  host: Host;
  /** The test server's name (lab file / scenario), for messages. */
  server: string;
  /** The agents' source addresses on that server, in order. */
  sources: readonly string[];
  /** The control node's XMPP address and port. */
  target: { address: string; port: number };
  /** Limit of one source's attempt. */
  timeoutMs: number;
  /** Try only this many sources: the first, the last and evenly spaced between. Default: all. */
  sample?: number;
  /** Tools allowed, in order (default CONNECT_TOOLS). */
  tools?: readonly ConnectTool[];
}

export interface SourceCheck {
  source: string;
  ok: boolean;
  /** Why not, as the tool said it (bind/connect error). */
  error?: string;
}

export interface ConnectivityReport {
  server: string;
  target: { address: string; port: number };
  tool: ConnectTool;
  /** tcp-connect: the port accepted a connection; icmp-echo (ping only): the address answered. */
  proves: 'tcp-connect' | 'icmp-echo';
  results: SourceCheck[];
}

export class ConnectivityError extends Error {
  constructor(
    message: string,
    readonly report: ConnectivityReport | undefined,
  ) {
    super(message);
    this.name = 'ConnectivityError';
  }
}

/** `n` of `items`: the first, the last and evenly spaced between (all of them when n >= their number). */
export function sampleSources<T>(items: readonly T[], n: number): T[] {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`connectivity check: sample must be an integer >= 1, got ${n}`);
  if (n >= items.length) return [...items];
  if (n === 1) return [items[0]!];
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) picked.add(Math.round((i * (items.length - 1)) / (n - 1)));
  return [...picked].map((i) => items[i]!);
}

export async function checkConnectivity(o: ConnectivityCheckOptions): Promise<ConnectivityReport> {
  const sources = o.sample === undefined ? [...o.sources] : sampleSources(o.sources, o.sample);
  const where = `test server ${o.server} (host ${o.host.name})`;
  const target = `${o.target.address}:${o.target.port}`;
  if (sources.length === 0)
    throw new ConnectivityError(`${where}: no agent source addresses to check`, undefined);
  const tools = o.tools ?? CONNECT_TOOLS;
  const command = connectivityCommand(sources, o.target, o.timeoutMs, tools);
  // Sources are tried one after another (in parallel with curl): the worst case is every one timing out.
  const r = await o.host.exec(command, { timeoutMs: sources.length * o.timeoutMs + 15_000 });
  const lines = r.stdout.split('\n').map((l) => l.trim());
  const tool = /^tool (\S+)$/.exec(lines[0] ?? '')?.[1];
  if (tool === 'none') {
    throw new ConnectivityError(
      `${where}: cannot check that the control node at ${target} is reachable: none of ${tools.join(', ')} ` +
        'is on the host (install one, or turn the connectivity check off)',
      undefined,
    );
  }
  if (r.timedOut || !isConnectTool(tool)) {
    const why = r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`;
    throw new ConnectivityError(
      `${where}: the connectivity check ${why} before reporting on its sources: ` +
        `${(r.stderr || r.stdout).trim().slice(0, 300) || '(no output)'}`,
      undefined,
    );
  }
  const said = new Map<string, SourceCheck>();
  for (const line of lines.slice(1)) {
    const m = /^(\S+) (ok|error)(?: (.*))?$/.exec(line);
    if (!m) continue;
    said.set(
      m[1]!,
      m[2] === 'ok' ? { source: m[1]!, ok: true } : { source: m[1]!, ok: false, error: m[3] ?? '' },
    );
  }
  const results = sources.map(
    (s) =>
      said.get(s) ?? {
        source: s,
        ok: false,
        error: `no result from ${tool} (${r.stderr.trim().slice(0, 200)})`,
      },
  );
  const report: ConnectivityReport = {
    server: o.server,
    target: { ...o.target },
    tool,
    proves: tool === 'ping' ? 'icmp-echo' : 'tcp-connect',
    results,
  };
  const failed = results.filter((x) => !x.ok);
  if (failed.length) {
    throw new ConnectivityError(
      `${where} cannot reach the control node at ${target} from ${failed.length} of ${results.length} agent ` +
        `source addresses: ${failed.map((f) => `${f.source} (${f.error})`).join('; ')} [checked with ${tool}]`,
      report,
    );
  }
  return report;
}

function isConnectTool(t: string | undefined): t is ConnectTool {
  return (CONNECT_TOOLS as readonly string[]).includes(t ?? '');
}

// Each prints one line per source: "<source> ok" or "<source> error <why>".
const PYTHON = `
import socket, sys
dst, port, t = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
for s in sys.argv[4:]:
    k = socket.socket(socket.AF_INET6 if ':' in s else socket.AF_INET, socket.SOCK_STREAM)
    k.settimeout(t)
    try:
        try:
            k.bind((s, 0))
        except OSError as e:
            print('%s error bind %s: %s' % (s, s, e.strerror or e))
            continue
        try:
            k.connect((dst, port))
            print('%s ok' % s)
        except socket.timeout:
            print('%s error connect %s:%d: no answer within %gs' % (s, dst, port, t))
        except OSError as e:
            print('%s error connect %s:%d: %s' % (s, dst, port, e.strerror or e))
    finally:
        k.close()
        sys.stdout.flush()
`;

const PERL = `
use strict; use IO::Socket::INET; use Socket;
my ($dst, $port, $t, @src) = @ARGV; $| = 1;
my $ip = inet_aton($dst);
for my $s (@src) {
  if (!$ip) { print "$s error cannot resolve $dst\\n"; next; }
  my $k = IO::Socket::INET->new(LocalAddr => $s, Proto => 'tcp', Timeout => $t);
  if (!$k) { print "$s error bind $s: $!\\n"; next; }
  if ($k->connect(pack_sockaddr_in($port, $ip))) { print "$s ok\\n"; }
  else { print "$s error connect $dst:$port: $!\\n"; }
  close $k;
}
`;

function connectivityCommand(
  sources: readonly string[],
  target: { address: string; port: number },
  timeoutMs: number,
  tools: readonly ConnectTool[],
): string {
  const seconds = String(Math.max(0.001, timeoutMs / 1000));
  const wholeSeconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const srcs = sources.map(shellQuote).join(' ');
  const hostPart = target.address.includes(':') ? `[${target.address}]` : target.address;
  const url = shellQuote(`telnet://${hostPart}:${target.port}`);
  const args = `${shellQuote(target.address)} ${target.port} ${seconds} ${srcs}`;
  return [
    'tool=none',
    `for c in ${tools.join(' ')}; do if command -v "$c" >/dev/null 2>&1; then tool=$c; break; fi; done`,
    'echo "tool $tool"',
    'case $tool in',
    `python3) exec python3 -c ${shellQuote(PYTHON)} ${args} ;;`,
    `perl) exec perl -e ${shellQuote(PERL)} ${args} ;;`,
    `curl) for s in ${srcs}; do (`,
    `  out=$(curl -sS -o /dev/null -w 'time_connect=%{time_connect}\\n' --interface "$s" --connect-timeout ${seconds} -m ${seconds} ${url} </dev/null 2>&1)`,
    `  tc=$(printf '%s\\n' "$out" | sed -n 's/^time_connect=//p')`,
    `  case $tc in *[1-9]*) echo "$s ok" ;; *) echo "$s error $(printf '%s\\n' "$out" | grep -v '^time_connect=' | head -n 1)" ;; esac`,
    '  ) & done; wait ;;',
    `ping) for s in ${srcs}; do`,
    `  if out=$(ping -n -c 1 -W ${wholeSeconds} -I "$s" ${shellQuote(target.address)} 2>&1); then echo "$s ok";`,
    `  else echo "$s error ping: $(printf '%s\\n' "$out" | grep -v '^$' | tail -n 1)"; fi`,
    '  done ;;',
    'esac',
  ].join('\n');
}
