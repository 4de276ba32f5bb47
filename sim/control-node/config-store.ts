/**
 * The configuration the config API serves and the control node follows:
 * virtual networks (each with its routing instance) and bgp-routers.
 * Kept in memory; the control node subscribes to changes.
 */
import { randomUUID } from 'node:crypto';

export interface VirtualNetwork {
  uuid: string;
  fq_name: string[];
  parent_type: string;
  [key: string]: unknown;
}

export interface BgpRouter {
  uuid: string;
  fq_name: string[];
  parent_type: string;
  bgp_router_parameters: Record<string, unknown>;
  [key: string]: unknown;
}

/** Body of an object to create: the store assigns the uuid unless given. */
export interface NewObject {
  fq_name: string[];
  parent_type: string;
  uuid?: string;
  [key: string]: unknown;
}

export interface ConfigListener {
  virtualNetworkAdded(vn: VirtualNetwork): void;
  virtualNetworkDeleted(vn: VirtualNetwork): void;
}

export class ConfigConflict extends Error {}

/** Routing instance of a VN: `<domain>:<project>:<vn>:<vn>`. */
export function routingInstanceName(fqName: readonly string[]): string {
  return [...fqName, fqName[fqName.length - 1]].join(':');
}

export class ConfigStore {
  readonly virtualNetworks = new Map<string, VirtualNetwork>();
  readonly bgpRouters = new Map<string, BgpRouter>();
  private readonly byFqName = new Map<string, { type: string; uuid: string }>();
  listener: ConfigListener | undefined;

  private key(type: string, fq: readonly string[]): string {
    return `${type}\0${fq.join(':')}`;
  }

  fqNameToId(type: string, fq: readonly string[]): string | undefined {
    return this.byFqName.get(this.key(type, fq))?.uuid;
  }

  createVirtualNetwork(body: NewObject): VirtualNetwork {
    const existing = this.fqNameToId('virtual-network', body.fq_name);
    if (existing)
      throw new ConfigConflict(`Conflict: ${body.fq_name.join(':')} already exists with uuid: ${existing}`);
    const vn: VirtualNetwork = { ...body, uuid: body.uuid ?? randomUUID() };
    this.virtualNetworks.set(vn.uuid, vn);
    this.byFqName.set(this.key('virtual-network', vn.fq_name), { type: 'virtual-network', uuid: vn.uuid });
    this.listener?.virtualNetworkAdded(vn);
    return vn;
  }

  deleteVirtualNetwork(uuid: string): VirtualNetwork | undefined {
    const vn = this.virtualNetworks.get(uuid);
    if (!vn) return undefined;
    this.virtualNetworks.delete(uuid);
    this.byFqName.delete(this.key('virtual-network', vn.fq_name));
    this.listener?.virtualNetworkDeleted(vn);
    return vn;
  }

  createBgpRouter(body: NewObject & { bgp_router_parameters: Record<string, unknown> }): BgpRouter {
    const existing = this.fqNameToId('bgp-router', body.fq_name);
    if (existing)
      throw new ConfigConflict(`Conflict: ${body.fq_name.join(':')} already exists with uuid: ${existing}`);
    const router: BgpRouter = { ...body, uuid: body.uuid ?? randomUUID() };
    this.bgpRouters.set(router.uuid, router);
    this.byFqName.set(this.key('bgp-router', router.fq_name), { type: 'bgp-router', uuid: router.uuid });
    return router;
  }
}
