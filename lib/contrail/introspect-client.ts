/**
 * Client of a control node's introspect (ours or a real one): typed
 * neighbors, route summaries, routing instances and XMPP connections,
 * following next_batch paging to the end.
 */
import {
  DEFAULT_TIMEOUT_MS,
  ContrailHttpError,
  httpRequest,
  serviceOrigin,
  type CallOptions,
} from './http-request.ts';
import {
  parseSandesh,
  type SandeshResponse,
  type SandeshStruct,
  type SandeshValue,
} from './sandesh-parser.ts';

/** Stop following next_batch after this many pages (64 entries each: 640,000 entries). */
const MAX_PAGES = 10_000;

export interface Neighbor {
  peer: string;
  peerAddress: string;
  /** "XMPP" or "BGP". */
  encoding: string;
  state: string;
  peerType: string;
  flapCount: number;
  /** Every field as decoded, including ones this type does not name. */
  raw: SandeshStruct;
}

export interface RouteTableSummary {
  name: string;
  prefixes: number;
  paths: number;
  primaryPaths: number;
  secondaryPaths: number;
  infeasiblePaths: number;
  pendingUpdates: number;
  markers: number;
  raw: SandeshStruct;
}

export interface RoutingInstance {
  name: string;
  virtualNetwork: string;
  raw: SandeshStruct;
}

export interface XmppConnection {
  name: string;
  remoteEndpoint: string;
  localEndpoint: string;
  state: string;
  raw: SandeshStruct;
}

export type NeighborKind = 'xmpp' | 'bgp';
export const ESTABLISHED = 'Established';

const s = (v: SandeshValue | undefined): string =>
  v === undefined || typeof v === 'object' ? '' : String(v);
const n = (v: SandeshValue | undefined): number => (typeof v === 'number' ? v : Number(s(v)) || 0);

function structs(v: SandeshValue | undefined): SandeshStruct[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is SandeshStruct => typeof x === 'object' && x !== null && !Array.isArray(x));
}

export interface IntrospectClientOptions {
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

export class IntrospectClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  /** `url`: e.g. http://10.0.0.1:8083 (a trailing slash is fine). */
  constructor(url: string, opts: IntrospectClientOptions = {}) {
    this.baseUrl = serviceOrigin(url, 'introspect', 'http://host:8083');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** One request; positional parameters in order (the introspect ignores their names). */
  async request(req: string, params: string[] = [], opts: CallOptions = {}): Promise<SandeshResponse[]> {
    const query = params.map((p, i) => `x${i}=${encodeURIComponent(p)}`).join('&');
    const url = `${this.baseUrl}/Snh_${req}${query ? `?${query}` : ''}`;
    const res = await httpRequest('GET', url, { timeoutMs: this.timeoutMs, ...opts });
    if (res.status !== 200)
      throw new ContrailHttpError('GET', url, res.status, res.text, res.text.slice(0, 200));
    return parseSandesh(res.text, `GET ${url}`);
  }

  /** All items of list field `field` across every response part and every next_batch page. */
  async requestAll(
    req: string,
    params: string[],
    field: string,
    opts: CallOptions = {},
  ): Promise<SandeshStruct[]> {
    const out: SandeshStruct[] = [];
    let parts = await this.request(req, params, opts);
    for (let page = 0; page < MAX_PAGES; page++) {
      let next: { link: string; text: string } | undefined;
      for (const p of parts) {
        out.push(...structs(p.fields[field]));
        const text = s(p.fields.next_batch);
        if (text) next = { link: p.links.next_batch ?? `${req}Iterate`, text };
      }
      if (!next) return out;
      parts = await this.request(next.link, [next.text], opts);
    }
    throw new Error(`${this.baseUrl} ${req}: still paging after ${MAX_PAGES} pages`);
  }

  async neighbors(search = '', opts: CallOptions = {}): Promise<Neighbor[]> {
    const items = await this.requestAll('BgpNeighborReq', [search, ''], 'neighbors', opts);
    return items.map((r) => ({
      peer: s(r.peer),
      peerAddress: s(r.peer_address),
      encoding: s(r.encoding),
      state: s(r.state),
      peerType: s(r.peer_type),
      flapCount: n(r.flap_count),
      raw: r,
    }));
  }

  /** Count of XMPP or BGP neighbors that are up (Established) or down, from ShowNeighborStatisticsReq. */
  async neighborCount(kind: NeighborKind, upOrDown: 'up' | 'down', opts: CallOptions = {}): Promise<number> {
    const parts = await this.request('ShowNeighborStatisticsReq', [kind, upOrDown, ''], opts);
    return parts.reduce((sum, p) => sum + n(p.fields.count), 0);
  }

  /** Route tables whose name matches `search` (a regex on the control node side, e.g. "\\.inet\\.0$"). */
  async routeSummary(search = '', opts: CallOptions = {}): Promise<RouteTableSummary[]> {
    const items = await this.requestAll('ShowRouteSummaryReq', [search], 'tables', opts);
    return items.map((r) => ({
      name: s(r.name),
      prefixes: n(r.prefixes),
      paths: n(r.paths),
      primaryPaths: n(r.primary_paths),
      secondaryPaths: n(r.secondary_paths),
      infeasiblePaths: n(r.infeasible_paths),
      pendingUpdates: n(r.pending_updates),
      markers: n(r.markers),
      raw: r,
    }));
  }

  async routingInstances(search = '', opts: CallOptions = {}): Promise<RoutingInstance[]> {
    const items = await this.requestAll('ShowRoutingInstanceSummaryReq', [search], 'instances', opts);
    return items.map((r) => ({ name: s(r.name), virtualNetwork: s(r.virtual_network), raw: r }));
  }

  async xmppConnections(opts: CallOptions = {}): Promise<XmppConnection[]> {
    const items = await this.requestAll('ShowXmppConnectionReq', [], 'connections', opts);
    return items.map((r) => ({
      name: s(r.name),
      remoteEndpoint: s(r.remote_endpoint),
      localEndpoint: s(r.local_endpoint),
      state: s(r.state),
      raw: r,
    }));
  }
}
