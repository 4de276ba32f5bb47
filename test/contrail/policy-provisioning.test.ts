/**
 * Network policies and the VNs they are attached to, against the config API emulator (in-process,
 * real HTTP): legacy naming, rules, attachment per VN, recorded before they exist, removal of only
 * what was created, and the API's 409 for a policy a VN still uses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../lib/contrail/config-api-client.ts';
import { ContrailHttpError } from '../../lib/contrail/http-request.ts';
import { FIRST_RULE_PORT, policiesOfVn, provisionPolicies } from '../../lib/contrail/policy-provisioning.ts';
import { provisionVns } from '../../lib/contrail/vn-provisioning.ts';
import type { LabChange } from '../../lib/lab/lab-change.ts';
import { vnSchema } from '../../lib/scenario/schema.ts';
import { ConfigApiServer } from '../../sim/control-node/config-api-server.ts';
import { ConfigStore, type ObjectType } from '../../sim/control-node/config-store.ts';

const PROJECT = ['default-domain', 'admin'];
const vnNames = (n: number) => Array.from({ length: n }, (_, i) => [...PROJECT, `c42_t41_block1_n${i + 1}`]);
const names = (store: ConfigStore, type: ObjectType) =>
  [...store.objects(type).values()].map((o) => o.fq_name.at(-1)).sort();

describe('policiesOfVn', () => {
  it('gives each VN one policy while there are enough VNs, else spreads every policy over the VNs once', () => {
    // 5 VNs, 3 policies: VN k gets policy k mod 3.
    expect([0, 1, 2, 3, 4].map((k) => policiesOfVn(k, 5, 3))).toEqual([[0], [1], [2], [0], [1]]);
    // 2 VNs, 5 policies: every policy on exactly one VN.
    expect([0, 1].map((k) => policiesOfVn(k, 2, 5))).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    expect(policiesOfVn(0, 0, 3)).toEqual([]);
    expect(policiesOfVn(0, 4, 0)).toEqual([]);
  });
});

describe('policy and VN provisioning', () => {
  let store: ConfigStore;
  let server: ConfigApiServer;
  let api: ConfigApiClient;
  const changes: Array<{ change: LabChange; existing: string[][] }> = [];
  /** Records each change with those of its objects that existed at that moment. */
  const record = async (change: LabChange) => {
    changes.push({
      change,
      existing:
        change.kind === 'config-objects'
          ? change.fqNames.filter((n) => store.fqNameToId(change.type, n) !== undefined)
          : [],
    });
  };
  const vnSettings = vnSchema.parse({});

  beforeAll(async () => {
    store = new ConfigStore();
    server = new ConfigApiServer(store);
    await server.start('127.0.0.1', 0);
    api = new ConfigApiClient(`http://127.0.0.1:${server.port}`, { project: 'admin', runId: 'run-9' });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    for (const vn of [...store.virtualNetworks.keys()]) store.deleteObject('virtual-network', vn);
    for (const np of [...store.networkPolicies.keys()]) store.deleteObject('network-policy', np);
    changes.length = 0;
  });

  it('creates N policies of M rules named prefix + index, attaches them to the VNs it creates, and removes them all', async () => {
    const policies = await provisionPolicies(api, { count: 3, rules: 2, namePrefix: 'policy_' }, 5, record);
    const vns = await provisionVns(api, vnNames(5), vnSettings, {
      record,
      policies: policies.attachmentsFor,
    });

    // Each change recorded before any of its objects existed, policies first.
    expect(changes).toEqual([
      {
        change: {
          kind: 'config-objects',
          type: 'network-policy',
          fqNames: [1, 2, 3].map((i) => [...PROJECT, `policy_${i}`]),
        },
        existing: [],
      },
      { change: { kind: 'config-objects', type: 'virtual-network', fqNames: vnNames(5) }, existing: [] },
    ]);
    expect(policies.policies.map((p) => [p.name, p.state])).toEqual([
      ['policy_1', 'created'],
      ['policy_2', 'created'],
      ['policy_3', 'created'],
    ]);
    const np = store.networkPolicies.get(policies.policies[0]!.uuid)!;
    expect(np.annotations).toEqual({ key_value_pair: [{ key: 'netscale-run', value: 'run-9' }] });
    const rules = (np.network_policy_entries as { policy_rule: Array<Record<string, unknown>> }).policy_rule;
    expect(rules.map((r) => r.dst_ports)).toEqual([
      [{ start_port: FIRST_RULE_PORT, end_port: FIRST_RULE_PORT }],
      [{ start_port: FIRST_RULE_PORT + 1, end_port: FIRST_RULE_PORT + 1 }],
    ]);
    // CIDRs only: a rule naming VNs would leak routes between their instances.
    for (const r of rules)
      expect(r).toMatchObject({
        direction: '<>',
        protocol: 'tcp',
        src_addresses: [{ subnet: { ip_prefix: '0.0.0.0', ip_prefix_len: 0 } }],
        action_list: { simple_action: 'pass' },
      });

    // VN k refers to policy k mod 3.
    const refsOf = (k: number) =>
      store.virtualNetworks.get(store.fqNameToId('virtual-network', vnNames(5)[k]!)!)!.network_policy_refs;
    expect(
      [0, 1, 2, 3, 4].map((k) => (refsOf(k) as Array<{ to: string[] }>).map((r) => r.to.at(-1))),
    ).toEqual([['policy_1'], ['policy_2'], ['policy_3'], ['policy_1'], ['policy_2']]);
    expect(refsOf(3)).toEqual([
      {
        to: [...PROJECT, 'policy_1'],
        uuid: policies.policies[0]!.uuid,
        attr: { sequence: { major: 0, minor: 0 } },
      },
    ]);

    // The API refuses to delete a policy a VN uses.
    const refused = await api
      .deleteObject('network-policy', policies.policies[0]!.uuid)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ContrailHttpError);
    expect(refused).toMatchObject({ status: 409 });
    expect((refused as Error).message).toContain('Delete when resource still referred');

    await vns.remove();
    await policies.remove();
    expect(names(store, 'virtual-network')).toEqual([]);
    expect(names(store, 'network-policy')).toEqual([]);
  });

  it('removes its policies from VNs kept after the run before deleting them', async () => {
    const policies = await provisionPolicies(api, { count: 2, rules: 1, namePrefix: 'np' }, 2, record);
    await provisionVns(api, vnNames(2), vnSettings, { record, policies: policies.attachmentsFor });
    await policies.remove();
    expect(names(store, 'network-policy')).toEqual([]);
    expect(names(store, 'virtual-network')).toEqual(['c42_t41_block1_n1', 'c42_t41_block1_n2']);
    for (const vn of store.virtualNetworks.values()) expect(vn.network_policy_refs).toBeUndefined();
  });

  it('uses an existing same-named policy without recording or removing it', async () => {
    const theirs = store.createNetworkPolicy({ fq_name: [...PROJECT, 'policy_2'], parent_type: 'project' });
    const policies = await provisionPolicies(api, { count: 2, rules: 1, namePrefix: 'policy_' }, 2, record);
    expect(changes.map((c) => c.change)).toEqual([
      { kind: 'config-objects', type: 'network-policy', fqNames: [[...PROJECT, 'policy_1']] },
    ]);
    expect(policies.policies.map((p) => [p.name, p.state, p.uuid === theirs.uuid])).toEqual([
      ['policy_1', 'created', false],
      ['policy_2', 'exists', true],
    ]);
    await policies.remove();
    expect(names(store, 'network-policy')).toEqual(['policy_2']);
  });
});

describe('VN provisioning: created versus kept', () => {
  let store: ConfigStore;
  let server: ConfigApiServer;
  let api: ConfigApiClient;

  beforeAll(async () => {
    store = new ConfigStore();
    server = new ConfigApiServer(store);
    await server.start('127.0.0.1', 0);
    api = new ConfigApiClient(`http://127.0.0.1:${server.port}`, { project: 'admin' });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    for (const vn of [...store.virtualNetworks.keys()]) store.deleteObject('virtual-network', vn);
  });

  it('records and removes only the VNs it creates; a VN that existed is kept and stays', async () => {
    const kept = store.createVirtualNetwork({ fq_name: vnNames(3)[1]!, parent_type: 'project' });
    const changes: LabChange[] = [];
    const vns = await provisionVns(api, vnNames(3), vnSchema.parse({}), {
      record: async (c) => {
        changes.push(c);
      },
    });
    expect(changes).toEqual([
      { kind: 'config-objects', type: 'virtual-network', fqNames: [vnNames(3)[0], vnNames(3)[2]] },
    ]);
    expect(vns.networks.map((n) => n.fqName)).toEqual(vnNames(3));
    expect(vns.created.map((n) => n.fqName.at(-1)).sort()).toEqual([
      'c42_t41_block1_n1',
      'c42_t41_block1_n3',
    ]);
    await vns.remove();
    expect([...store.virtualNetworks.keys()]).toEqual([kept.uuid]);
  });

  it('with deleteBeforeCreate deletes the existing VN, records it and creates it anew (removed after)', async () => {
    const old = store.createVirtualNetwork({ fq_name: vnNames(1)[0]!, parent_type: 'project' });
    const changes: LabChange[] = [];
    const vns = await provisionVns(api, vnNames(1), vnSchema.parse({ deleteBeforeCreate: true }), {
      record: async (c) => {
        changes.push(c);
        // Recorded after the old one is gone and before the new one exists.
        expect(store.fqNameToId('virtual-network', vnNames(1)[0]!)).toBeUndefined();
      },
    });
    expect(vns.deletedBefore).toBe(1);
    expect(changes).toHaveLength(1);
    expect(vns.created[0]!.uuid).not.toBe(old.uuid);
    await vns.remove();
    expect(store.virtualNetworks.size).toBe(0);
  });

  it('records nothing when every VN exists', async () => {
    for (const fq of vnNames(2)) store.createVirtualNetwork({ fq_name: fq, parent_type: 'project' });
    let recorded = 0;
    const vns = await provisionVns(api, vnNames(2), vnSchema.parse({}), {
      record: async () => {
        recorded++;
      },
    });
    expect(recorded).toBe(0);
    expect(vns.created).toEqual([]);
    await vns.remove();
    expect(store.virtualNetworks.size).toBe(2);
  });
});
