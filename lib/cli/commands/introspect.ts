/** `netscale introspect <url> [--json]`: neighbors and route summary of a control node, following paging. */
import type { Command } from 'commander';
import { ESTABLISHED, IntrospectClient, type RouteTableSummary } from '../../contrail/introspect-client.ts';

export interface IntrospectSummary {
  neighbors: { xmpp: { total: number; up: number }; bgp: { total: number; up: number } };
  /** The JSON shape users script against: the client's table summary without markers and raw fields. */
  tables: Array<Omit<RouteTableSummary, 'markers' | 'raw'>>;
}

export async function introspectSummary(
  url: string,
  search = '',
  timeoutMs = 10_000,
): Promise<IntrospectSummary> {
  const client = new IntrospectClient(url, { timeoutMs });
  const [neighbors, tables] = await Promise.all([client.neighbors(), client.routeSummary(search)]);
  const count = (enc: string) => {
    const of = neighbors.filter((n) => n.encoding.toUpperCase() === enc);
    return { total: of.length, up: of.filter((n) => n.state === ESTABLISHED).length };
  };
  return {
    neighbors: { xmpp: count('XMPP'), bgp: count('BGP') },
    tables: tables.map((t) => ({
      name: t.name,
      prefixes: t.prefixes,
      paths: t.paths,
      primaryPaths: t.primaryPaths,
      secondaryPaths: t.secondaryPaths,
      infeasiblePaths: t.infeasiblePaths,
      pendingUpdates: t.pendingUpdates,
    })),
  };
}

function render(s: IntrospectSummary): string {
  const lines = [
    `XMPP neighbors: ${s.neighbors.xmpp.up}/${s.neighbors.xmpp.total} Established`,
    `BGP neighbors:  ${s.neighbors.bgp.up}/${s.neighbors.bgp.total} Established`,
    '',
  ];
  const head = ['table', 'prefixes', 'paths', 'primary', 'secondary', 'infeasible', 'pending'];
  const rows = s.tables.map((t) => [
    t.name,
    ...[t.prefixes, t.paths, t.primaryPaths, t.secondaryPaths, t.infeasiblePaths, t.pendingUpdates].map(
      String,
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(fmt(head), ...rows.map(fmt));
  if (rows.length === 0) lines.push('(no route tables)');
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('introspect')
    .description("query a control node's introspect: neighbors and route summary (follows paging)")
    .argument('<url>', 'introspect URL, e.g. http://127.0.0.1:8083')
    .option('--json', 'print JSON: {"neighbors":{"xmpp":{total,up},"bgp":{total,up}},"tables":[...]}')
    .option('--search <regex>', 'only route tables whose name matches', '')
    .option('--timeout-ms <n>', 'per-request timeout', '10000')
    .action(async (url: string, o: { json?: boolean; search: string; timeoutMs: string }) => {
      const timeout = Number(o.timeoutMs);
      if (!Number.isFinite(timeout) || timeout <= 0)
        throw new Error(`--timeout-ms: expected a positive number, found "${o.timeoutMs}"`);
      const summary = await introspectSummary(url, o.search, timeout);
      process.stdout.write(o.json ? JSON.stringify(summary) + '\n' : render(summary));
    });
}
