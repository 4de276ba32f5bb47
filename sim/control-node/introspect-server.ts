/**
 * Introspect HTTP of the emulated control node: `GET /Snh_<Request>?...`
 * with positional parameters, sandesh XML responses, 64-entry pages with
 * next_batch + `<Request>Iterate`. Sim-only paths on the same port:
 * `GET /sim/events` (event record), `POST /sim/fault` (fault injection) and `GET /sim/router-view` (what a
 * BGP peer of this node would learn: the MX emulator's truth, see routerView).
 */
import http from 'node:http';
import type { AgentSession } from './agent-session.ts';
import type { ControlNode } from './control-node.ts';
import { routingInstanceName } from './config-store.ts';
import { FaultRequestError, parseFaultRequest } from './faults.ts';
import { MASTER_INSTANCE } from '../xmpp/index.ts';
import type { RouteTable } from './route-table.ts';
import {
  bool,
  sandeshDocument,
  str,
  stringList,
  structList,
  u32,
  u64,
  type SandeshField,
} from './sandesh-xml.ts';

export const PAGE_SIZE = 64;
const ITERATE_SEP = '||';

interface Page<T> {
  items: T[];
  /** Iterate text for the next page, '' on the last page. */
  next: string;
}

/** Filters by search string (regex, or substring when it is not a valid regex), then pages after `after`. */
function page<T>(all: T[], key: (t: T) => string, search: string, after: string): Page<T> {
  let match: (s: string) => boolean = () => true;
  if (search) {
    try {
      const re = new RegExp(search);
      match = (s) => re.test(s);
    } catch {
      match = (s) => s.includes(search);
    }
  }
  const sorted = all
    .filter((t) => match(key(t)))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const start = after ? sorted.findIndex((t) => key(t) > after) : 0;
  const items = start < 0 ? [] : sorted.slice(start, start + PAGE_SIZE);
  const more = start >= 0 && start + PAGE_SIZE < sorted.length;
  return { items, next: more ? `${search}${ITERATE_SEP}${key(items[items.length - 1]!)}` : '' };
}

/** Splits iterate text back into (search, after). */
function fromIterate(text: string): [string, string] {
  const i = text.lastIndexOf(ITERATE_SEP);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + ITERATE_SEP.length)];
}

interface Neighbor {
  name: string;
  fields: SandeshField[];
  encoding: 'XMPP' | 'BGP';
  up: boolean;
}

export class IntrospectServer {
  private server: http.Server | undefined;

  constructor(private readonly node: ControlNode) {}

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  async start(address: string, port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, address, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The garbage fault: a 200 whose XML breaks off mid-element, as from a wedged or crashing introspect. */
  private garbageAnswer(res: http.ServerResponse): boolean {
    const left = this.node.faults.introspectGarbage ?? 0;
    if (left === 0) return false;
    if (left > 0) this.node.faults.introspectGarbage = left - 1;
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end('<?xml version="1.0"?><ShowRouteSummaryResp><tables type="list"><li\u0000\u00ff#@!');
    return true;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/sim/events' && req.method === 'GET') {
      return json(res, 200, {
        ...this.node.events.toJSON(),
        pendingUpdates: this.node.pendingUpdates,
        pid: process.pid,
        // Node's own view, to explain the RSS read from /proc (heap vs buffers).
        memory: process.memoryUsage(),
      });
    }
    if (url.pathname === '/sim/router-view' && req.method === 'GET')
      return json(res, 200, routerView(this.node));
    if (url.pathname === '/sim/fault' && req.method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
        const fault = parseFaultRequest(body);
        json(res, 200, { applied: fault });
        await this.node.applyFault(fault);
      } catch (err) {
        if (err instanceof SyntaxError || err instanceof FaultRequestError)
          return json(res, 400, { error: `POST /sim/fault: ${err.message}` });
        throw err;
      }
      return;
    }
    const m = /^\/Snh_(\w+)$/.exec(url.pathname);
    if (!m) return text(res, 404, `no such introspect page: ${url.pathname}`);
    if (this.garbageAnswer(res)) return;
    // Parameters are positional: the real introspect ignores their names.
    const args = [...url.searchParams.values()];
    const arg = (i: number) => args[i] ?? '';
    const reqName = m[1]!;
    const iterate = reqName.endsWith('Iterate');
    const base = iterate ? reqName.slice(0, -'Iterate'.length) : reqName;
    const [search, after] = iterate ? fromIterate(arg(0)) : [arg(0), ''];
    const body = this.respond(base, search, after, arg);
    if (body === undefined) return text(res, 404, `unknown sandesh request ${reqName}`);
    res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
  }

  private respond(
    req: string,
    search: string,
    after: string,
    arg: (i: number) => string,
  ): string | undefined {
    switch (req) {
      case 'BgpNeighborReq': {
        const p = page(this.neighbors(), (n) => n.name, search, after);
        return sandeshDocument('BgpNeighborListResp', [
          [
            structList(
              'neighbors',
              'BgpNeighborResp',
              p.items.map((n) => n.fields),
            ),
            str('next_batch', p.next, { link: 'BgpNeighborReqIterate' }),
          ],
        ]);
      }
      case 'ShowNeighborStatisticsReq': {
        const kind = arg(0).toLowerCase();
        const upOrDown = arg(1).toLowerCase();
        const count = this.neighbors().filter(
          (n) =>
            (kind === '' || n.encoding.toLowerCase() === kind) &&
            (upOrDown === '' || (upOrDown === 'up') === n.up),
        ).length;
        return sandeshDocument('ShowNeighborStatisticsResp', [[u64('count', count)]]);
      }
      case 'ShowRouteSummaryReq': {
        const p = page([...this.node.instances.values()], (t) => t.name, search, after);
        return sandeshDocument('ShowRouteSummaryResp', [
          [
            structList(
              'tables',
              'ShowRouteTableSummary',
              p.items.map((t) => tableSummary(t)),
            ),
            str('next_batch', p.next, { link: 'ShowRouteSummaryReqIterate' }),
          ],
        ]);
      }
      case 'ShowRoutingInstanceReq':
      case 'ShowRoutingInstanceSummaryReq': {
        const detail = req === 'ShowRoutingInstanceReq';
        const p = page([...this.node.instances.values()], (t) => t.instance, search, after);
        const type = detail ? 'ShowRoutingInstanceResp' : 'ShowRoutingInstanceSummaryResp';
        return sandeshDocument(type, [
          [
            structList(
              'instances',
              'ShowRoutingInstance',
              p.items.map((t) => this.instanceFields(t, detail)),
            ),
            str('next_batch', p.next, { link: `${req}Iterate` }),
          ],
        ]);
      }
      case 'ShowXmppConnectionReq': {
        const sessions = [...this.node.sessions].sort((a, b) => (a.name < b.name ? -1 : 1));
        // The real response arrives in several parts; each part holds up to one page.
        const parts: SandeshField[][] = [];
        for (let i = 0; i < Math.max(1, sessions.length); i += PAGE_SIZE) {
          parts.push([
            structList(
              'connections',
              'ShowXmppConnection',
              sessions.slice(i, i + PAGE_SIZE).map((s) => xmppConnection(s)),
            ),
          ]);
        }
        return sandeshDocument('ShowXmppConnectionResp', parts);
      }
      case 'ShowXmppServerReq':
        return sandeshDocument('ShowXmppServerResp', [
          [
            u32('current_connections', this.node.sessions.size),
            u32('max_connections', this.node.maxSessions),
          ],
        ]);
      default:
        return undefined;
    }
  }

  private neighbors(): Neighbor[] {
    const out: Neighbor[] = [];
    for (const s of this.node.sessions) {
      if (!s.name) continue;
      const up = s.state === 'Established';
      out.push({
        name: s.name,
        encoding: 'XMPP',
        up,
        fields: [
          str('peer', s.name),
          str('peer_address', s.remote.split(':')[0] ?? ''),
          u32('peer_asn', 64512),
          str('encoding', 'XMPP'),
          str('peer_type', 'internal'),
          str('state', up ? 'Established' : 'Active'),
          str('local_address', s.local),
          str('last_event', s.lastEvent),
          u32('flap_count', this.node.flaps.get(s.name) ?? 0),
          u64('rx_messages', s.rxMessages),
          u64('tx_messages', s.txMessages),
          structList(
            'routing_instances',
            'BgpNeighborRoutingInstance',
            [...s.subscriptions].map(([name, sub]) => [
              str('name', name),
              str('state', sub.table ? 'subscribed' : 'pending'),
              u32('index', sub.instanceId ?? 0),
            ]),
          ),
        ],
      });
    }
    for (const r of this.node.config.bgpRouters.values()) {
      const name = r.fq_name[r.fq_name.length - 1] ?? '';
      if (name === this.node.opts.name) continue;
      const params = r.bgp_router_parameters;
      out.push({
        name,
        encoding: 'BGP',
        up: false,
        fields: [
          str('peer', name),
          str('peer_address', String(params.address ?? '')),
          u32('peer_asn', Number(params.autonomous_system ?? 0)),
          str('encoding', 'BGP'),
          str('peer_type', 'internal'),
          str('state', 'Active'),
          str('router_type', String(params.router_type ?? '')),
          u32('flap_count', 0),
        ],
      });
    }
    return out;
  }

  private instanceFields(t: RouteTable, detail: boolean): SandeshField[] {
    const vn = [...this.node.config.virtualNetworks.values()].find(
      (v) => routingInstanceName(v.fq_name) === t.instance,
    );
    const fields = [
      str('name', t.instance),
      str('virtual_network', vn ? vn.fq_name.join(':') : ''),
      u32('vn_index', 0),
      bool('deleted', false),
      stringList('import_target', []),
      stringList('export_target', []),
    ];
    if (detail) fields.push(structList('tables', 'ShowRoutingInstanceTable', [tableSummary(t)]));
    return fields;
  }
}

/**
 * What a BGP peer of this node (an MX; sim/junos emulates one) would learn from it: the node re-advertises
 * the routes of the VN routing instances as VPN routes (the master instance's are not), and keeps a BGP
 * session only while it is up with its own bgp-router configured. Also its XMPP state and the router-type
 * bgp-routers configured to peer with it, for the emulated router's session view.
 */
function routerView(node: ControlNode) {
  let prefixes = 0;
  let instances = 0;
  for (const t of node.instances.values()) {
    if (t.instance === MASTER_INSTANCE) continue;
    instances++;
    prefixes += t.prefixes;
  }
  const routers = [...node.config.bgpRouters.values()].map((r) => ({
    name: r.fq_name[r.fq_name.length - 1] ?? '',
    type: String(r.bgp_router_parameters.router_type ?? ''),
    address: String(r.bgp_router_parameters.address ?? ''),
    asn: Number(r.bgp_router_parameters.autonomous_system ?? 64512),
  }));
  const self = routers.find((r) => r.name === node.opts.name && r.type !== 'router');
  const refusal = node.admissionRefusal();
  return {
    monotonicMs: node.nowMs(),
    name: node.opts.name,
    address: self?.address || node.opts.address,
    asn: self?.asn ?? 64512,
    bgp: { up: refusal === undefined, reason: refusal ?? '' },
    xmpp: {
      sessions: node.sessions.size,
      established: [...node.sessions].filter((s) => s.state === 'Established').length,
    },
    peers: routers
      .filter((r) => r.type === 'router')
      .map(({ name, address, asn }) => ({ name, address, asn })),
    instances,
    prefixes,
  };
}

function tableSummary(t: RouteTable): SandeshField[] {
  return [
    str('name', t.name),
    bool('deleted', false),
    u64('prefixes', t.prefixes),
    u64('paths', t.paths),
    u64('primary_paths', t.paths),
    u64('secondary_paths', 0),
    u64('infeasible_paths', 0),
    u64('stale_paths', 0),
    u64('walk_requests', 0),
    u64('walk_completes', 0),
    u64('pending_updates', t.pendingUpdates),
    u32('markers', t.markers),
    u32('listeners', t.subscribers.size),
    u32('walkers', 0),
  ];
}

function xmppConnection(s: AgentSession): SandeshField[] {
  return [
    str('name', s.name),
    str('remote_endpoint', s.remote),
    str('local_endpoint', s.local),
    str('state', s.state),
    str('last_event', s.lastEvent),
    str('receive_tuples', String(s.rxMessages)),
  ];
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
}

export async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new SyntaxError(`request body larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
