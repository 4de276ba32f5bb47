/**
 * Client of the Contrail config API (contrail-api, port 8082): the objects
 * the scale suites provision: virtual networks and bgp-routers.
 */
import {
  DEFAULT_TIMEOUT_MS,
  ContrailHttpError,
  httpRequest,
  serviceOrigin,
  type CallOptions,
} from './http-request.ts';

export interface ConfigApiClientOptions {
  domain?: string;
  project?: string;
  /** Keystone token sent as X-Auth-Token (never logged). */
  token?: string;
  timeoutMs?: number;
}

export interface ObjectRef {
  uuid: string;
  fqName: string[];
  href: string;
}

export interface CreateVirtualNetworkOptions {
  /** e.g. "10.1.0.0/24": adds a network_ipam_refs entry on the default IPAM. */
  subnet?: string;
}

export interface BgpRouterSpec {
  name: string;
  address: string;
  routerType: 'control-node' | 'router';
  vendor?: string;
  autonomousSystem?: number;
  identifier?: string;
  port?: number;
}

const FABRIC_INSTANCE = ['default-domain', 'default-project', 'ip-fabric', '__default__'];

export class ConfigApiClient {
  readonly baseUrl: string;
  readonly domain: string;
  readonly project: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(url: string, opts: ConfigApiClientOptions = {}) {
    this.baseUrl = serviceOrigin(url, 'config API', 'http://host:8082');
    this.domain = opts.domain ?? 'default-domain';
    this.project = opts.project ?? 'default-project';
    this.headers = opts.token ? { 'x-auth-token': opts.token } : {};
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Calls the API; returns parsed JSON, or undefined for 404 when `allow404`. Other non-2xx throw ContrailHttpError. */
  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    opts: CallOptions,
    allow404 = false,
  ): Promise<T | undefined> {
    const url = `${this.baseUrl}${path}`;
    const res = await httpRequest(method, url, {
      timeoutMs: this.timeoutMs,
      ...opts,
      body,
      headers: this.headers,
    });
    if (res.status === 404 && allow404) return undefined;
    if (res.status < 200 || res.status > 299)
      throw new ContrailHttpError(
        method,
        url,
        res.status,
        res.text,
        res.text.slice(0, 300) || '(empty body)',
      );
    if (res.text.trim() === '') return {} as T;
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new ContrailHttpError(
        method,
        url,
        res.status,
        res.text,
        `expected JSON, found ${res.text.slice(0, 100)}`,
      );
    }
  }

  vnFqName(name: string): string[] {
    return [this.domain, this.project, name];
  }

  async createVirtualNetwork(
    name: string,
    options: CreateVirtualNetworkOptions = {},
    opts: CallOptions = {},
  ): Promise<ObjectRef> {
    const vn: Record<string, unknown> = { fq_name: this.vnFqName(name), parent_type: 'project' };
    if (options.subnet) {
      const [prefix, len] = options.subnet.split('/');
      if (!prefix || !len || !/^\d+$/.test(len))
        throw new Error(
          `createVirtualNetwork ${name}: subnet must look like 10.1.0.0/24, found ${options.subnet}`,
        );
      vn.network_ipam_refs = [
        {
          to: ['default-domain', 'default-project', 'default-network-ipam'],
          attr: { ipam_subnets: [{ subnet: { ip_prefix: prefix, ip_prefix_len: Number(len) } }] },
        },
      ];
    }
    const res = await this.call<{ 'virtual-network': { uuid: string; fq_name: string[]; href: string } }>(
      'POST',
      '/virtual-networks',
      { 'virtual-network': vn },
      opts,
    );
    const v = res!['virtual-network'];
    return { uuid: v.uuid, fqName: v.fq_name, href: v.href };
  }

  async deleteVirtualNetwork(uuid: string, opts: CallOptions = {}): Promise<void> {
    await this.call('DELETE', `/virtual-network/${encodeURIComponent(uuid)}`, undefined, opts);
  }

  async listVirtualNetworks(opts: CallOptions = {}): Promise<ObjectRef[]> {
    const res = await this.call<{
      'virtual-networks': Array<{ uuid: string; fq_name: string[]; href: string }>;
    }>('GET', '/virtual-networks', undefined, opts);
    return res!['virtual-networks'].map((v) => ({ uuid: v.uuid, fqName: v.fq_name, href: v.href }));
  }

  /** uuid of the object, or undefined when the API answers 404. */
  async fqNameToId(type: string, fqName: string[], opts: CallOptions = {}): Promise<string | undefined> {
    const res = await this.call<{ uuid: string }>(
      'POST',
      '/fqname-to-id',
      { type, fq_name: fqName },
      opts,
      true,
    );
    return res?.uuid;
  }

  /** Creates the bgp-router unless one with that name exists; returns its uuid. */
  async ensureBgpRouter(spec: BgpRouterSpec, opts: CallOptions = {}): Promise<string> {
    const fqName = [...FABRIC_INSTANCE, spec.name];
    const existing = await this.fqNameToId('bgp-router', fqName, opts);
    if (existing) return existing;
    const res = await this.call<{ 'bgp-router': { uuid: string } }>(
      'POST',
      '/bgp-routers',
      {
        'bgp-router': {
          fq_name: fqName,
          parent_type: 'routing-instance',
          bgp_router_parameters: {
            router_type: spec.routerType,
            vendor: spec.vendor ?? (spec.routerType === 'control-node' ? 'contrail' : 'mx'),
            autonomous_system: spec.autonomousSystem ?? 64512,
            identifier: spec.identifier ?? spec.address,
            address: spec.address,
            port: spec.port ?? 179,
            address_families: { family: ['inet-vpn', 'e-vpn', 'route-target'] },
          },
        },
      },
      opts,
    );
    return res!['bgp-router'].uuid;
  }
}
