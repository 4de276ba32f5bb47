/**
 * Client of the Contrail config API (contrail-api, port 8082): the objects
 * the scale suites provision: virtual networks and bgp-routers. With Keystone
 * credentials it sends a token on every call and renews it once on a 401
 * (tokens expire or are revoked while a long run provisions).
 */
import type { ConfigApiConfig } from '../config/lab-schema.ts';
import { requestKeystoneToken, type KeystoneCredentials } from './keystone-token.ts';
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
  /** Keystone token sent as X-Auth-Token (never logged); fixed, not renewed. */
  token?: string;
  /** Obtain the token from Keystone before the first call, and again once after a 401. */
  keystone?: KeystoneCredentials;
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
  private readonly timeoutMs: number;
  private readonly keystone: KeystoneCredentials | undefined;
  /** Current token; a pending request is shared so parallel calls authenticate once. */
  private token: Promise<string> | undefined;

  constructor(url: string, opts: ConfigApiClientOptions = {}) {
    this.baseUrl = serviceOrigin(url, 'config API', 'http://host:8082');
    this.domain = opts.domain ?? 'default-domain';
    this.project = opts.project ?? 'default-project';
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.keystone = opts.keystone;
    this.token = opts.token ? Promise.resolve(opts.token) : undefined;
  }

  /** Client for a lab file's configApi entry: Keystone auth when it has authUrl (username/password required then). */
  static fromLab(
    config: ConfigApiConfig,
    opts: Omit<ConfigApiClientOptions, 'keystone' | 'token'> = {},
  ): ConfigApiClient {
    const { authUrl, username, password } = config;
    if (authUrl === undefined) return new ConfigApiClient(config.url, opts);
    if (username === undefined || password === undefined)
      throw new Error(
        `configApi.authUrl ${authUrl}: expected configApi.username and configApi.password, found ${username === undefined ? 'no username' : 'no password'}`,
      );
    return new ConfigApiClient(config.url, {
      ...opts,
      keystone: { authUrl, username, password, project: config.authProject, domain: config.authDomain },
    });
  }

  /** The token to send; a new one when there is none yet or `stale` (refused with 401) is still the current one. */
  private currentToken(opts: CallOptions, stale?: Promise<string>): Promise<string> | undefined {
    if (this.keystone && (!this.token || this.token === stale)) {
      const pending = requestKeystoneToken(this.keystone, { timeoutMs: this.timeoutMs, ...opts });
      this.token = pending;
      // A failed request must not stick: the next call tries again.
      pending.catch(() => {
        if (this.token === pending) this.token = undefined;
      });
    }
    return this.token;
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
    const send = async (token: Promise<string> | undefined) =>
      httpRequest(method, url, {
        timeoutMs: this.timeoutMs,
        ...opts,
        body,
        headers: token ? { 'x-auth-token': await token } : {},
      });
    const token = this.currentToken(opts);
    let res = await send(token);
    // Once only: a token refused right after it was issued means the credentials lack access.
    if (res.status === 401 && this.keystone) res = await send(this.currentToken(opts, token));
    if (res.status === 404 && allow404) return undefined;
    if (res.status < 200 || res.status > 299)
      throw new ContrailHttpError(
        method,
        url,
        res.status,
        res.text,
        (res.status === 401 && this.keystone
          ? `refused a fresh Keystone token of user ${this.keystone.username}: `
          : '') + (res.text.slice(0, 300) || '(empty body)'),
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
