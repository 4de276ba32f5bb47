/**
 * The lab's bgp-routers, as provision_control.py (control nodes) and provision_mx.py (routers) make
 * them: one for every controlNodes[] and routers[] entry with a `bgpRouter` section, named after it
 * (default: the lab host's name), at its address (default: the lab host's address), in
 * default-domain:default-project:ip-fabric:__default__.
 *
 * What the scripts send, and this sends too: router_type control-node (vendor contrail) or router
 * (vendor from the lab file, mx); autonomous_system; address = identifier; port 179; address_families
 * [route-target, inet-vpn, e-vpn, erm-vpn, inet6-vpn] for a control node and the same without erm-vpn
 * (a Contrail-only family) for a router, unless the lab file lists them; and a full mesh: each new
 * bgp-router refers (bgp_router_refs) to every bgp-router that exists when it is created, each peering
 * with one session over the new router's families. Control nodes are created first, so routers peer
 * with them.
 *
 * Only missing bgp-routers are created, and they are recorded as a lab change before the first is.
 * `remove()` deletes only those; `removeProvisionedBgpRouters` (for `netscale lab provision --remove`)
 * deletes the lab file's bgp-routers that carry netscale's mark, and keeps same-named ones it did not
 * create.
 */
import ipaddr from 'ipaddr.js';
import type { ControlNodeConfig, RouterConfig } from '../config/lab-schema.ts';
import type { RecordChange } from '../lab/lab-change.ts';
import type { Role } from '../lab/lab.ts';
import {
  FABRIC_INSTANCE,
  netscaleRunOf,
  type BgpRouterObjectSpec,
  type ConfigApiClient,
  type ObjectRef,
} from './config-api-client.ts';
import { deleteCreated } from './delete-created.ts';

/** The roles of a lab whose bgp-routers are provisioned (a Lab has them). */
export interface BgpRouterLab {
  controlNodes: ReadonlyArray<Pick<Role<ControlNodeConfig>, 'config' | 'hostName' | 'address'>>;
  routers: ReadonlyArray<Pick<Role<RouterConfig>, 'config' | 'hostName' | 'address'>>;
}

export const CONTROL_NODE_FAMILIES = ['route-target', 'inet-vpn', 'e-vpn', 'erm-vpn', 'inet6-vpn'];
export const ROUTER_FAMILIES = ['route-target', 'inet-vpn', 'e-vpn', 'inet6-vpn'];

/** One bgp-router the lab file asks for. */
export interface PlannedBgpRouter {
  /** Where the lab file asks for it, e.g. `routers[0].bgpRouter`. */
  labKey: string;
  fqName: string[];
  spec: Omit<BgpRouterObjectSpec, 'peers'>;
}

export interface BgpRouterOutcome {
  labKey: string;
  name: string;
  fqName: string[];
  uuid: string;
  state: 'created' | 'exists';
}

export interface ProvisionedBgpRouters {
  /** Every bgp-router of the lab file, control nodes first, in file order. */
  routers: BgpRouterOutcome[];
  /** The bgp-routers this call created; remove() deletes these. */
  created: ObjectRef[];
  /** Deletes the bgp-routers this call created (newest first, references of peers to them removed). */
  remove(): Promise<void>;
}

export interface RemovedBgpRouter {
  labKey: string;
  name: string;
  fqName: string[];
  /** removed: it had netscale's mark; not-ours: same name, no mark, kept; absent: none of that name. */
  state: 'removed' | 'not-ours' | 'absent';
  /** The run that created it (removed ones). */
  run?: string;
}

/** The bgp-routers the lab file asks for, control nodes first; throws naming the lab key for a bad one. */
export function plannedBgpRouters(lab: BgpRouterLab): PlannedBgpRouter[] {
  const planned: PlannedBgpRouter[] = [];
  lab.controlNodes.forEach((role, i) => {
    const b = role.config.bgpRouter;
    if (!b) return;
    const labKey = `controlNodes[${i}].bgpRouter`;
    const families = b.families ?? CONTROL_NODE_FAMILIES;
    planned.push(
      plan(labKey, {
        name: b.name ?? role.hostName,
        routerType: 'control-node',
        vendor: 'contrail',
        autonomousSystem: b.asn,
        address: peeringAddress(labKey, b.address, role),
        families,
      }),
    );
  });
  lab.routers.forEach((role, i) => {
    const b = role.config.bgpRouter;
    if (!b) return;
    const labKey = `routers[${i}].bgpRouter`;
    const families = b.families ?? ROUTER_FAMILIES;
    if (families.includes('erm-vpn'))
      throw new Error(
        `${labKey}.families: erm-vpn is a Contrail-only family (control nodes); found it for router ${b.name}`,
      );
    planned.push(
      plan(labKey, {
        name: b.name,
        routerType: 'router',
        vendor: b.vendor,
        autonomousSystem: b.asn,
        address: peeringAddress(labKey, b.address, role),
        families,
      }),
    );
  });
  const byName = new Map<string, string>();
  for (const p of planned) {
    const other = byName.get(p.spec.name);
    if (other)
      throw new Error(
        `${p.labKey}.name: bgp-router ${p.spec.name} is also the name of ${other}; expected one bgp-router per name`,
      );
    byName.set(p.spec.name, p.labKey);
  }
  return planned;
}

function plan(labKey: string, spec: Omit<BgpRouterObjectSpec, 'peers'>): PlannedBgpRouter {
  return { labKey, fqName: [...FABRIC_INSTANCE, spec.name], spec };
}

/** The bgp-router's address: the section's, else the lab host's; an IPv4 address (it is also the BGP identifier). */
function peeringAddress(
  labKey: string,
  given: string | undefined,
  role: { hostName: string; address: string },
): string {
  const address = given ?? role.address;
  if (!ipaddr.IPv4.isValidFourPartDecimal(address))
    throw new Error(
      `${labKey}.address: expected an IPv4 address (the bgp-router's address and BGP identifier), found ${JSON.stringify(address)}` +
        (given === undefined ? ` (the address of lab host ${role.hostName}; set ${labKey}.address)` : ''),
    );
  return address;
}

/** Ensures every bgp-router of the lab file exists; creates (and first records) only the missing ones. */
export async function provisionBgpRouters(
  api: ConfigApiClient,
  lab: BgpRouterLab,
  record: RecordChange,
): Promise<ProvisionedBgpRouters> {
  const planned = plannedBgpRouters(lab);
  const uuids = await Promise.all(planned.map((p) => api.fqNameToId('bgp-router', p.fqName)));
  const missing = planned.filter((_, i) => uuids[i] === undefined);
  const created: ObjectRef[] = [];
  const remove = () => deleteCreated(api, 'bgp-router', created.splice(0), { detachReferrers: true });
  if (missing.length) {
    await record({ kind: 'config-objects', type: 'bgp-router', fqNames: missing.map((p) => p.fqName) });
    // Full mesh: each new one peers with all that exist when it is created (the scripts list them each time).
    const peers = (await api.listObjects('bgp-router', FABRIC_INSTANCE)).map((r) => r.fq_name);
    try {
      for (const p of missing) {
        const router = await api.createBgpRouter({ ...p.spec, peers: [...peers] });
        created.push(router);
        uuids[planned.indexOf(p)] = router.uuid;
        peers.push(p.fqName);
      }
    } catch (err) {
      await remove().catch(() => undefined);
      throw err;
    }
  }
  return {
    routers: planned.map((p, i) => ({
      labKey: p.labKey,
      name: p.spec.name,
      fqName: p.fqName,
      uuid: uuids[i]!,
      state: missing.includes(p) ? 'created' : 'exists',
    })),
    created: [...created],
    remove,
  };
}

/**
 * Deletes the lab file's bgp-routers that carry netscale's mark (references of peers to them removed
 * first); one of the same name without the mark was made by someone else and is kept.
 */
export async function removeProvisionedBgpRouters(
  api: ConfigApiClient,
  lab: BgpRouterLab,
): Promise<RemovedBgpRouter[]> {
  const out: RemovedBgpRouter[] = [];
  // Routers were created last: they go first.
  for (const p of plannedBgpRouters(lab).reverse()) {
    const base = { labKey: p.labKey, name: p.spec.name, fqName: p.fqName };
    const uuid = await api.fqNameToId('bgp-router', p.fqName);
    const obj = uuid === undefined ? undefined : await api.readObject('bgp-router', uuid);
    if (uuid === undefined || !obj) {
      out.push({ ...base, state: 'absent' });
      continue;
    }
    const run = netscaleRunOf(obj);
    if (run === undefined) {
      out.push({ ...base, state: 'not-ours' });
      continue;
    }
    await deleteCreated(api, 'bgp-router', [{ uuid, fqName: p.fqName, href: obj.href ?? '' }], {
      detachReferrers: true,
    });
    out.push({ ...base, state: 'removed', run });
  }
  return out.reverse();
}
