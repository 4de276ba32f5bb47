/**
 * The configuration the config API serves and the control node follows:
 * virtual networks (each with its routing instance), network policies and
 * bgp-routers. Kept in memory; the control node subscribes to VN changes.
 *
 * References (`bgp_router_refs`, `network_policy_refs`, `virtual_network_refs`) are resolved to the
 * uuid of their target when stored, as contrail-api does; an object that another one still refers
 * to cannot be deleted (ConfigReferenced, the API's 409 "Delete when resource still referred").
 * Other `*_refs` (e.g. network_ipam_refs to the implicit default IPAM) are kept as given.
 */
import { randomUUID } from 'node:crypto';

export type ObjectType = 'virtual-network' | 'network-policy' | 'bgp-router';

export const OBJECT_TYPES: readonly ObjectType[] = ['virtual-network', 'network-policy', 'bgp-router'];

export interface ConfigObject {
  uuid: string;
  fq_name: string[];
  parent_type: string;
  [key: string]: unknown;
}

export type VirtualNetwork = ConfigObject;
export type NetworkPolicy = ConfigObject;

export interface BgpRouter extends ConfigObject {
  bgp_router_parameters: Record<string, unknown>;
}

/** Body of an object to create: the store assigns the uuid unless given. */
export interface NewObject {
  fq_name: string[];
  parent_type: string;
  uuid?: string;
  [key: string]: unknown;
}

/** A reference as stored: the target's fq_name and uuid, and the link's attributes. */
export interface StoredRef {
  to: string[];
  uuid: string;
  attr?: unknown;
}

export interface ConfigListener {
  virtualNetworkAdded(vn: VirtualNetwork): void;
  virtualNetworkDeleted(vn: VirtualNetwork): void;
}

/** An object with that fq_name exists already (HTTP 409). */
export class ConfigConflict extends Error {}

/** A reference names an object that does not exist (HTTP 404). */
export class ConfigUnknownRef extends Error {}

/** The object is still referred to by others (HTTP 409); `referrers` name them. */
export class ConfigReferenced extends Error {
  constructor(
    message: string,
    readonly referrers: Array<{ type: ObjectType; uuid: string }>,
  ) {
    super(message);
  }
}

/** Reference fields the store resolves, by the type they point to. */
export const REF_FIELDS: Record<string, ObjectType> = {
  virtual_network_refs: 'virtual-network',
  network_policy_refs: 'network-policy',
  bgp_router_refs: 'bgp-router',
};

/** `bgp-router` -> `bgp_router_refs` / `bgp_router_back_refs`. */
export function refField(type: ObjectType): string {
  return `${type.replaceAll('-', '_')}_refs`;
}

/** Routing instance of a VN: `<domain>:<project>:<vn>:<vn>`. */
export function routingInstanceName(fqName: readonly string[]): string {
  return [...fqName, fqName[fqName.length - 1]].join(':');
}

export class ConfigStore {
  readonly virtualNetworks = new Map<string, VirtualNetwork>();
  readonly networkPolicies = new Map<string, NetworkPolicy>();
  readonly bgpRouters = new Map<string, BgpRouter>();
  private readonly byFqName = new Map<string, { type: ObjectType; uuid: string }>();
  listener: ConfigListener | undefined;

  private key(type: string, fq: readonly string[]): string {
    return `${type}\0${fq.join(':')}`;
  }

  objects(type: ObjectType): Map<string, ConfigObject> {
    if (type === 'virtual-network') return this.virtualNetworks;
    if (type === 'network-policy') return this.networkPolicies;
    return this.bgpRouters;
  }

  fqNameToId(type: string, fq: readonly string[]): string | undefined {
    return this.byFqName.get(this.key(type, fq))?.uuid;
  }

  /** The type of the object with this uuid, if any. */
  typeOf(uuid: string): ObjectType | undefined {
    return OBJECT_TYPES.find((t) => this.objects(t).has(uuid));
  }

  createVirtualNetwork(body: NewObject): VirtualNetwork {
    const vn = this.insert('virtual-network', body);
    this.listener?.virtualNetworkAdded(vn);
    return vn;
  }

  createNetworkPolicy(body: NewObject): NetworkPolicy {
    return this.insert('network-policy', body);
  }

  createBgpRouter(body: NewObject & { bgp_router_parameters: Record<string, unknown> }): BgpRouter {
    return this.insert('bgp-router', body) as BgpRouter;
  }

  deleteVirtualNetwork(uuid: string): VirtualNetwork | undefined {
    return this.deleteObject('virtual-network', uuid);
  }

  /** Deletes the object; undefined when there is none; ConfigReferenced while another one refers to it. */
  deleteObject(type: ObjectType, uuid: string): ConfigObject | undefined {
    const map = this.objects(type);
    const obj = map.get(uuid);
    if (!obj) return undefined;
    const referrers = this.referrersOf(uuid);
    if (referrers.length)
      throw new ConfigReferenced(
        `${type} ${obj.fq_name.join(':')} is still referred to by ${referrers.map((r) => `${r.type} ${r.uuid}`).join(', ')}`,
        referrers,
      );
    map.delete(uuid);
    this.byFqName.delete(this.key(type, obj.fq_name));
    if (type === 'virtual-network') this.listener?.virtualNetworkDeleted(obj);
    return obj;
  }

  /** Objects holding a reference to `uuid`. */
  referrersOf(uuid: string): Array<{ type: ObjectType; uuid: string }> {
    const out: Array<{ type: ObjectType; uuid: string }> = [];
    for (const type of OBJECT_TYPES)
      for (const obj of this.objects(type).values()) {
        if (obj.uuid === uuid) continue;
        if (Object.keys(REF_FIELDS).some((f) => refsOf(obj, f).some((r) => r.uuid === uuid)))
          out.push({ type, uuid: obj.uuid });
      }
    return out;
  }

  /** `<type>_back_refs` of an object, as a read of the real API shows them. */
  backRefs(uuid: string): Record<string, StoredRef[]> {
    const out: Record<string, StoredRef[]> = {};
    for (const type of OBJECT_TYPES)
      for (const obj of this.objects(type).values())
        for (const f of Object.keys(REF_FIELDS)) {
          const ref = refsOf(obj, f).find((r) => r.uuid === uuid);
          if (!ref) continue;
          const field = `${type.replaceAll('-', '_')}_back_refs`;
          (out[field] ??= []).push({ to: obj.fq_name, uuid: obj.uuid, attr: ref.attr });
        }
    return out;
  }

  /**
   * Adds (or replaces) or deletes one reference of an object (the API's /ref-update); the target is
   * given by uuid or fq_name. Returns undefined when the object does not exist.
   */
  updateRef(
    type: ObjectType,
    uuid: string,
    op: 'ADD' | 'DELETE',
    refType: ObjectType,
    ref: { uuid?: string; fqName?: string[]; attr?: unknown },
  ): ConfigObject | undefined {
    const obj = this.objects(type).get(uuid);
    if (!obj) return undefined;
    const field = refField(refType);
    let target = ref.uuid ?? (ref.fqName ? this.fqNameToId(refType, ref.fqName) : undefined);
    const targetObj = target === undefined ? undefined : this.objects(refType).get(target);
    if (op === 'ADD') {
      if (!targetObj)
        throw new ConfigUnknownRef(
          `${refType} ${ref.uuid ?? ref.fqName?.join(':') ?? '(no uuid or fq_name)'} not found`,
        );
      target = targetObj.uuid;
      const kept = refsOf(obj, field).filter((r) => r.uuid !== target);
      obj[field] = [
        ...kept,
        { to: targetObj.fq_name, uuid: target, ...(ref.attr !== undefined ? { attr: ref.attr } : {}) },
      ];
    } else {
      const kept = refsOf(obj, field).filter(
        (r) => r.uuid !== target && !(ref.fqName && r.to.join(':') === ref.fqName.join(':')),
      );
      if (kept.length) obj[field] = kept;
      else delete obj[field];
    }
    return obj;
  }

  private insert(type: ObjectType, body: NewObject): ConfigObject {
    const existing = this.fqNameToId(type, body.fq_name);
    if (existing)
      throw new ConfigConflict(`Conflict: ${body.fq_name.join(':')} already exists with uuid: ${existing}`);
    const obj: ConfigObject = { ...body, uuid: body.uuid ?? randomUUID() };
    for (const [field, refType] of Object.entries(REF_FIELDS)) {
      const given = body[field];
      if (given === undefined) continue;
      obj[field] = (given as Array<{ to: string[]; uuid?: string; attr?: unknown }>).map((r) => {
        const target = r.uuid ?? this.fqNameToId(refType, r.to);
        if (target === undefined || !this.objects(refType).has(target))
          throw new ConfigUnknownRef(`${field}: ${refType} ${r.to.join(':')} not found`);
        return { to: r.to, uuid: target, ...(r.attr !== undefined ? { attr: r.attr } : {}) };
      });
    }
    this.objects(type).set(obj.uuid, obj);
    this.byFqName.set(this.key(type, obj.fq_name), { type, uuid: obj.uuid });
    return obj;
  }
}

function refsOf(obj: ConfigObject, field: string): StoredRef[] {
  const refs = obj[field];
  return Array.isArray(refs) ? (refs as StoredRef[]) : [];
}
