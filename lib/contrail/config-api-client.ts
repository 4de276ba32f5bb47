/**
 * Client of the Contrail config API (contrail-api, port 8082): the objects
 * the scale suites provision: virtual networks, network policies and
 * bgp-routers. With Keystone credentials it sends a token on every call and
 * renews it once on a 401 (tokens expire or are revoked while a long run
 * provisions).
 *
 * Every object this client creates carries netscale's mark, the annotation
 * `netscale-run` = <run id> (`annotations.key_value_pair`): removal of lab
 * setup (`netscale lab provision --remove`) deletes only objects with it.
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
  /** Value of the mark on the objects this client creates (the run that created them). */
  runId?: string;
}

/** Object types netscale creates; the API's collection path is the type + "s" (network-policys). */
export type ConfigObjectType = 'virtual-network' | 'network-policy' | 'bgp-router';

/** A config object as the API reads it (snake_case fields of the API). */
export interface ConfigObject {
  uuid: string;
  fq_name: string[];
  href?: string;
  annotations?: { key_value_pair?: Array<{ key: string; value: string }> };
  [field: string]: unknown;
}

/** A reference as read: target fq_name and uuid, with the link's attributes. */
export interface ConfigRef {
  to: string[];
  uuid: string;
  attr?: unknown;
}

/** Annotation key of netscale's mark; its value is the run id. */
export const NETSCALE_MARK_KEY = 'netscale-run';
/** Mark value when the client was not given a run id. */
const UNRECORDED_RUN = 'unrecorded';

/** The run that created the object, when it carries netscale's mark. */
export function netscaleRunOf(obj: ConfigObject): string | undefined {
  return obj.annotations?.key_value_pair?.find((p) => p.key === NETSCALE_MARK_KEY)?.value;
}

/** A network policy attached to a VN: network_policy_refs attr, applied in `sequence` order. */
export interface PolicyAttachment {
  fqName: string[];
  sequence: { major: number; minor: number };
}

export interface ObjectRef {
  uuid: string;
  fqName: string[];
  href: string;
}

export interface CreateVirtualNetworkOptions {
  /** e.g. "10.1.0.0/24": adds a network_ipam_refs entry on the default IPAM. */
  subnet?: string;
  /** Network policies to attach (network_policy_refs). */
  policies?: readonly PolicyAttachment[];
}

/** One rule of a network policy, in the API's shape (PolicyRuleType). */
export interface PolicyRuleBody {
  direction: '<>' | '>';
  protocol: string;
  src_addresses: Array<Record<string, unknown>>;
  src_ports: Array<{ start_port: number; end_port: number }>;
  dst_addresses: Array<Record<string, unknown>>;
  dst_ports: Array<{ start_port: number; end_port: number }>;
  action_list: { simple_action: 'pass' | 'deny' };
  rule_sequence?: { major: number; minor: number };
}

/** A bgp-router with everything provision_control.py / provision_mx.py send. */
export interface BgpRouterObjectSpec {
  name: string;
  routerType: 'control-node' | 'router';
  vendor: string;
  autonomousSystem: number;
  /** Peering address; also the BGP identifier unless `identifier` is given. */
  address: string;
  identifier?: string;
  port?: number;
  /** address_families of the router and of each peering session. */
  families: readonly string[];
  /** fq_names of the bgp-routers to peer with (bgp_router_refs). */
  peers: readonly string[][];
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

/** The routing instance every bgp-router lives in (the provisioning scripts' parent). */
export const FABRIC_INSTANCE = ['default-domain', 'default-project', 'ip-fabric', '__default__'];

export class ConfigApiClient {
  readonly baseUrl: string;
  readonly domain: string;
  readonly project: string;
  private readonly timeoutMs: number;
  private readonly keystone: KeystoneCredentials | undefined;
  private readonly runId: string;
  /** Current token; a pending request is shared so parallel calls authenticate once. */
  private token: Promise<string> | undefined;

  constructor(url: string, opts: ConfigApiClientOptions = {}) {
    this.baseUrl = serviceOrigin(url, 'config API', 'http://host:8082');
    this.domain = opts.domain ?? 'default-domain';
    this.project = opts.project ?? 'default-project';
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.keystone = opts.keystone;
    this.runId = opts.runId ?? UNRECORDED_RUN;
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

  policyFqName(name: string): string[] {
    return [this.domain, this.project, name];
  }

  bgpRouterFqName(name: string): string[] {
    return [...FABRIC_INSTANCE, name];
  }

  /** netscale's mark, carried by every object this client creates. */
  private mark(): ConfigObject['annotations'] {
    return { key_value_pair: [{ key: NETSCALE_MARK_KEY, value: this.runId }] };
  }

  /** POSTs a new object of `type`; returns its uuid, fq_name and href as the API answers. */
  private async create(
    type: ConfigObjectType,
    body: Record<string, unknown>,
    opts: CallOptions,
  ): Promise<ObjectRef> {
    const res = await this.call<Record<string, { uuid: string; fq_name: string[]; href: string }>>(
      'POST',
      `/${type}s`,
      { [type]: { ...body, annotations: this.mark() } },
      opts,
    );
    const o = res![type];
    if (!o?.uuid)
      throw new Error(
        `POST ${this.baseUrl}/${type}s: expected {"${type}": {"uuid": ...}}, found ${JSON.stringify(res).slice(0, 200)}`,
      );
    return { uuid: o.uuid, fqName: o.fq_name, href: o.href };
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
    if (options.policies?.length)
      vn.network_policy_refs = options.policies.map((p) => ({
        to: p.fqName,
        attr: { sequence: p.sequence },
      }));
    return this.create('virtual-network', vn, opts);
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

  /** A network policy (in the client's project) with these rules, in order. */
  async createNetworkPolicy(
    name: string,
    rules: readonly PolicyRuleBody[],
    opts: CallOptions = {},
  ): Promise<ObjectRef> {
    return this.create(
      'network-policy',
      {
        fq_name: this.policyFqName(name),
        parent_type: 'project',
        network_policy_entries: { policy_rule: rules },
      },
      opts,
    );
  }

  /** A bgp-router under ip-fabric:__default__, peering with `spec.peers` (provision_bgp.py's shape). */
  async createBgpRouter(spec: BgpRouterObjectSpec, opts: CallOptions = {}): Promise<ObjectRef> {
    const families = { family: [...spec.families] };
    // Each peering carries one session whose attributes name the families, as the scripts send it.
    const peering = { session: [{ attributes: [{ address_families: families }] }] };
    return this.create(
      'bgp-router',
      {
        fq_name: this.bgpRouterFqName(spec.name),
        parent_type: 'routing-instance',
        bgp_router_parameters: {
          router_type: spec.routerType,
          vendor: spec.vendor,
          autonomous_system: spec.autonomousSystem,
          identifier: spec.identifier ?? spec.address,
          address: spec.address,
          port: spec.port ?? 179,
          address_families: families,
        },
        bgp_router_refs: spec.peers.map((to) => ({ to, attr: peering })),
      },
      opts,
    );
  }

  /** The object with its fields, refs and back refs; undefined when the API answers 404. */
  async readObject(
    type: ConfigObjectType,
    uuid: string,
    opts: CallOptions = {},
  ): Promise<ConfigObject | undefined> {
    const res = await this.call<Record<string, ConfigObject>>(
      'GET',
      `/${type}/${encodeURIComponent(uuid)}`,
      undefined,
      opts,
      true,
    );
    return res?.[type];
  }

  /** Every object of `type` with its fields (detail=true), optionally only the children of `parentFqName`. */
  async listObjects(
    type: ConfigObjectType,
    parentFqName?: readonly string[],
    opts: CallOptions = {},
  ): Promise<ConfigObject[]> {
    const query = new URLSearchParams({ detail: 'true' });
    if (parentFqName) query.set('parent_fq_name_str', parentFqName.join(':'));
    const res = await this.call<Record<string, Array<Record<string, ConfigObject>>>>(
      'GET',
      `/${type}s?${query}`,
      undefined,
      opts,
    );
    return (res?.[`${type}s`] ?? []).map((item) => item[type]!).filter((o) => o !== undefined);
  }

  /** Deletes the object: true when deleted, false when it was already gone (404). Other errors throw. */
  async deleteObject(type: ConfigObjectType, uuid: string, opts: CallOptions = {}): Promise<boolean> {
    const res = await this.call('DELETE', `/${type}/${encodeURIComponent(uuid)}`, undefined, opts, true);
    return res !== undefined;
  }

  /** Adds (or replaces the attr of) or deletes one reference of an object (POST /ref-update); a DELETE on a gone object is no error. */
  async updateRef(
    change: {
      operation: 'ADD' | 'DELETE';
      type: ConfigObjectType;
      uuid: string;
      refType: ConfigObjectType;
      refUuid: string;
      attr?: unknown;
    },
    opts: CallOptions = {},
  ): Promise<void> {
    // Removing a reference of an object that is gone already leaves what was wanted.
    await this.call(
      'POST',
      '/ref-update',
      {
        operation: change.operation,
        type: change.type,
        uuid: change.uuid,
        'ref-type': change.refType,
        'ref-uuid': change.refUuid,
        ...(change.attr !== undefined ? { attr: change.attr } : {}),
      },
      opts,
      change.operation === 'DELETE',
    );
  }

  /**
   * Removes every reference other objects hold to this one, so that it can be deleted (the API refuses
   * with 409 while it is referred to). Returns how many were removed; 0 when the object is gone.
   */
  async detachReferrers(type: ConfigObjectType, uuid: string, opts: CallOptions = {}): Promise<number> {
    const obj = await this.readObject(type, uuid, opts);
    if (!obj) return 0;
    let detached = 0;
    for (const referrerType of ['virtual-network', 'network-policy', 'bgp-router'] as const) {
      const backRefs = obj[`${referrerType.replaceAll('-', '_')}_back_refs`];
      if (!Array.isArray(backRefs)) continue;
      for (const ref of backRefs as ConfigRef[]) {
        await this.updateRef(
          { operation: 'DELETE', type: referrerType, uuid: ref.uuid, refType: type, refUuid: uuid },
          opts,
        );
        detached++;
      }
    }
    return detached;
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

  /** Creates the bgp-router, without peers, unless one with that name exists; returns its uuid. */
  async ensureBgpRouter(spec: BgpRouterSpec, opts: CallOptions = {}): Promise<string> {
    const existing = await this.fqNameToId('bgp-router', this.bgpRouterFqName(spec.name), opts);
    if (existing) return existing;
    const created = await this.createBgpRouter(
      {
        name: spec.name,
        routerType: spec.routerType,
        vendor: spec.vendor ?? (spec.routerType === 'control-node' ? 'contrail' : 'mx'),
        autonomousSystem: spec.autonomousSystem ?? 64512,
        address: spec.address,
        identifier: spec.identifier,
        port: spec.port,
        families: ['inet-vpn', 'e-vpn', 'route-target'],
        peers: [],
      },
      opts,
    );
    return created.uuid;
  }
}
