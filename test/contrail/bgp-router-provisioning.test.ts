/**
 * bgp-router provisioning from the lab file against the config API emulator (in-process, real HTTP):
 * what provision_control.py / provision_mx.py send, only missing ones created, recorded before they
 * exist, removal of only what netscale created.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlNodeSchema, routerSchema } from '../../lib/config/lab-schema.ts';
import { ConfigApiClient, FABRIC_INSTANCE } from '../../lib/contrail/config-api-client.ts';
import {
  plannedBgpRouters,
  provisionBgpRouters,
  removeProvisionedBgpRouters,
  type BgpRouterLab,
} from '../../lib/contrail/bgp-router-provisioning.ts';
import type { LabChange } from '../../lib/lab/lab-change.ts';
import { ConfigApiServer } from '../../sim/control-node/config-api-server.ts';
import { ConfigStore } from '../../sim/control-node/config-store.ts';

const fq = (name: string) => [...FABRIC_INSTANCE, name];

/** The seed's lab: a2s40 and a2s42 control nodes, the MX rtr-mx80-1. */
function seedLab(): BgpRouterLab {
  return {
    controlNodes: [
      {
        config: controlNodeSchema.parse({
          host: 'a2s40',
          introspect: 'http://10.84.7.40:8083',
          bgpRouter: {},
        }),
        hostName: 'a2s40',
        address: '10.84.7.40',
      },
      {
        config: controlNodeSchema.parse({
          host: 'a2s42',
          introspect: 'http://10.84.7.42:8083',
          bgpRouter: {},
        }),
        hostName: 'a2s42',
        address: '10.84.7.42',
      },
    ],
    routers: [
      {
        config: routerSchema.parse({ host: 'mx80', bgpRouter: { name: 'rtr-mx80-1' } }),
        hostName: 'mx80',
        address: '10.84.7.250',
      },
    ],
  };
}

/** A bgp-router made by someone else (provision_control.py): no netscale mark. */
function othersRouter(store: ConfigStore, name: string, address: string, peers: string[] = []) {
  return store.createBgpRouter({
    fq_name: fq(name),
    parent_type: 'routing-instance',
    bgp_router_parameters: { router_type: 'control-node', vendor: 'contrail', address },
    bgp_router_refs: peers.map((p) => ({ to: fq(p), attr: {} })),
  });
}

describe('bgp-router provisioning', () => {
  let store: ConfigStore;
  let server: ConfigApiServer;
  let api: ConfigApiClient;
  const changes: LabChange[] = [];

  beforeAll(async () => {
    store = new ConfigStore();
    server = new ConfigApiServer(store);
    await server.start('127.0.0.1', 0);
    api = new ConfigApiClient(`http://127.0.0.1:${server.port}`, { runId: 'run-42' });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    for (const uuid of [...store.bgpRouters.keys()]) {
      for (const r of store.bgpRouters.values()) delete r.bgp_router_refs;
      store.deleteObject('bgp-router', uuid);
    }
    changes.length = 0;
  });

  /** Records a change and notes which of its bgp-routers existed at that moment. */
  const recordAndCheck = (existedWhenRecorded: string[][]) => async (change: LabChange) => {
    changes.push(change);
    if (change.kind === 'config-objects')
      for (const name of change.fqNames)
        if (store.fqNameToId('bgp-router', name) !== undefined) existedWhenRecorded.push(name);
  };

  it('creates only the missing ones, recording exactly those before any exists, with the scripts’ parameters and a full mesh', async () => {
    othersRouter(store, 'a2s40', '10.84.7.40');
    const existedWhenRecorded: string[][] = [];
    const result = await provisionBgpRouters(api, seedLab(), recordAndCheck(existedWhenRecorded));

    expect(changes).toEqual([
      { kind: 'config-objects', type: 'bgp-router', fqNames: [fq('a2s42'), fq('rtr-mx80-1')] },
    ]);
    expect(existedWhenRecorded).toEqual([]);
    expect(result.routers.map((r) => [r.labKey, r.name, r.state])).toEqual([
      ['controlNodes[0].bgpRouter', 'a2s40', 'exists'],
      ['controlNodes[1].bgpRouter', 'a2s42', 'created'],
      ['routers[0].bgpRouter', 'rtr-mx80-1', 'created'],
    ]);
    expect(result.created.map((r) => r.fqName)).toEqual([fq('a2s42'), fq('rtr-mx80-1')]);

    const cn = store.bgpRouters.get(store.fqNameToId('bgp-router', fq('a2s42'))!)!;
    const controlFamilies = ['route-target', 'inet-vpn', 'e-vpn', 'erm-vpn', 'inet6-vpn'];
    expect(cn.bgp_router_parameters).toEqual({
      router_type: 'control-node',
      vendor: 'contrail',
      autonomous_system: 64512,
      identifier: '10.84.7.42',
      address: '10.84.7.42',
      port: 179,
      address_families: { family: controlFamilies },
    });
    expect(cn.annotations).toEqual({ key_value_pair: [{ key: 'netscale-run', value: 'run-42' }] });
    const session = (families: string[]) => ({
      session: [{ attributes: [{ address_families: { family: families } }] }],
    });
    expect(cn.bgp_router_refs).toEqual([
      { to: fq('a2s40'), uuid: store.fqNameToId('bgp-router', fq('a2s40')), attr: session(controlFamilies) },
    ]);
    const mx = store.bgpRouters.get(store.fqNameToId('bgp-router', fq('rtr-mx80-1'))!)!;
    const routerFamilies = ['route-target', 'inet-vpn', 'e-vpn', 'inet6-vpn'];
    expect(mx.bgp_router_parameters).toMatchObject({
      router_type: 'router',
      vendor: 'mx',
      address: '10.84.7.250',
      address_families: { family: routerFamilies },
    });
    // The router peers with both control nodes, the one found and the one created before it.
    expect((mx.bgp_router_refs as Array<{ to: string[]; attr: unknown }>).map((r) => [r.to, r.attr])).toEqual(
      [
        [fq('a2s40'), session(routerFamilies)],
        [fq('a2s42'), session(routerFamilies)],
      ],
    );

    // All there now: nothing created, nothing recorded.
    changes.length = 0;
    const again = await provisionBgpRouters(api, seedLab(), recordAndCheck(existedWhenRecorded));
    expect(again.routers.map((r) => r.state)).toEqual(['exists', 'exists', 'exists']);
    expect(again.created).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('takes name, address, ASN and families from the bgpRouter section when given', async () => {
    const lab = seedLab();
    lab.controlNodes = [
      {
        ...lab.controlNodes[1]!,
        config: controlNodeSchema.parse({
          host: 'a2s42',
          introspect: 'http://10.84.7.42:8083',
          bgpRouter: {
            name: 'cn-dut',
            address: '192.168.1.42',
            asn: 65001,
            families: ['inet-vpn', 'route-target'],
          },
        }),
      },
    ];
    lab.routers = [];
    await provisionBgpRouters(api, lab, async () => {});
    const r = store.bgpRouters.get(store.fqNameToId('bgp-router', fq('cn-dut'))!)!;
    expect(r.bgp_router_parameters).toMatchObject({
      address: '192.168.1.42',
      identifier: '192.168.1.42',
      autonomous_system: 65001,
      address_families: { family: ['inet-vpn', 'route-target'] },
    });
  });

  it('remove() deletes only what it created, also when a later peer refers to it', async () => {
    othersRouter(store, 'a2s40', '10.84.7.40');
    const result = await provisionBgpRouters(api, seedLab(), async () => {});
    // Someone else's router added afterwards peers with the one netscale created.
    othersRouter(store, 'a2s43', '10.84.7.43', ['a2s42']);
    await result.remove();
    expect([...store.bgpRouters.values()].map((r) => r.fq_name.at(-1)).sort()).toEqual(['a2s40', 'a2s43']);
    expect(
      store.bgpRouters.get(store.fqNameToId('bgp-router', fq('a2s43'))!)!.bgp_router_refs,
    ).toBeUndefined();
  });

  it('takes back what it created when a creation fails, and reports the failure', async () => {
    const lab = seedLab();
    // The record step lets another provisioner in: rtr-mx80-1 appears before netscale creates it.
    const racing = async () => {
      othersRouter(store, 'rtr-mx80-1', '10.84.7.250');
    };
    await expect(provisionBgpRouters(api, lab, racing)).rejects.toThrow(/bgp-routers -> 409: Conflict/);
    expect([...store.bgpRouters.values()].map((r) => r.fq_name.at(-1))).toEqual(['rtr-mx80-1']);
  });

  it('--remove deletes only marked bgp-routers named in the lab file and keeps a same-named unmarked one', async () => {
    await provisionBgpRouters(api, seedLab(), async () => {});
    // a2s40 is deleted and made again by someone else: same name, no mark.
    const ours40 = store.fqNameToId('bgp-router', fq('a2s40'))!;
    for (const r of store.bgpRouters.values()) delete r.bgp_router_refs;
    store.deleteObject('bgp-router', ours40);
    othersRouter(store, 'a2s40', '10.84.7.40');
    // A marked bgp-router not in the lab file is not touched either.
    await new ConfigApiClient(api.baseUrl, { runId: 'run-1' }).ensureBgpRouter({
      name: 'elsewhere',
      address: '10.9.9.9',
      routerType: 'router',
    });

    const removed = await removeProvisionedBgpRouters(api, seedLab());
    expect(removed.map((r) => [r.name, r.state, r.run])).toEqual([
      ['a2s40', 'not-ours', undefined],
      ['a2s42', 'removed', 'run-42'],
      ['rtr-mx80-1', 'removed', 'run-42'],
    ]);
    expect([...store.bgpRouters.values()].map((r) => r.fq_name.at(-1)).sort()).toEqual([
      'a2s40',
      'elsewhere',
    ]);
    // Run again: nothing left to remove.
    expect((await removeProvisionedBgpRouters(api, seedLab())).map((r) => r.state)).toEqual([
      'not-ours',
      'absent',
      'absent',
    ]);
  });

  it('refuses a lab file whose bgp-routers cannot be provisioned, naming the lab key', () => {
    const lab = seedLab();
    lab.routers = [
      {
        ...lab.routers[0]!,
        config: routerSchema.parse({
          host: 'mx80',
          bgpRouter: { name: 'mx', families: ['inet-vpn', 'erm-vpn'] },
        }),
      },
    ];
    expect(() => plannedBgpRouters(lab)).toThrow(
      'routers[0].bgpRouter.families: erm-vpn is a Contrail-only family (control nodes); found it for router mx',
    );
    const named = seedLab();
    named.controlNodes[0]!.address = 'a2s40-mgmt';
    expect(() => plannedBgpRouters(named)).toThrow(
      'controlNodes[0].bgpRouter.address: expected an IPv4 address (the bgp-router\'s address and BGP identifier), found "a2s40-mgmt" (the address of lab host a2s40; set controlNodes[0].bgpRouter.address)',
    );
    const twice = seedLab();
    twice.routers = [
      {
        ...twice.routers[0]!,
        config: routerSchema.parse({ host: 'mx80', bgpRouter: { name: 'a2s42' } }),
      },
    ];
    expect(() => plannedBgpRouters(twice)).toThrow(
      'routers[0].bgpRouter.name: bgp-router a2s42 is also the name of controlNodes[1].bgpRouter',
    );
    // No bgpRouter section: nothing to provision for that entry.
    const bare = seedLab();
    bare.controlNodes[0]!.config = controlNodeSchema.parse({
      host: 'a2s40',
      introspect: 'http://10.84.7.40:8083',
    });
    expect(plannedBgpRouters(bare).map((p) => p.spec.name)).toEqual(['a2s42', 'rtr-mx80-1']);
  });
});
