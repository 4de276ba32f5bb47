/**
 * The scenario's network policies (legacy Policy_Scale: npolicies policies of nrules rules, named
 * policy_name_prepend_pattern + index): created in the VNs' project before the VNs, attached to the
 * VNs when they are created (provisionVns's `policies` option), removed after the run.
 *
 * Attachment: the k-th VN (from 0) gets the policies j (from 0) with j ≡ k (mod min(count, VNs)), in
 * network_policy_refs order (sequence major = position). While there are at least as many VNs as
 * policies that is one policy per VN, each policy shared by about VNs / count of them (the legacy
 * scripts attached a policy to a pair of VNs, and each VN kept one); with more policies than VNs every
 * policy is on exactly one VN.
 *
 * Rules match CIDRs (0.0.0.0/0 to 0.0.0.0/0, TCP, one destination port per rule), never other VNs:
 * a rule naming two VNs makes the control node leak routes between their routing instances, which
 * would change the route counts a scale run verifies. The policies load the config and the control
 * node's policy processing; the routes stay where the load put them.
 *
 * A policy of the same name that exists already is used and kept; only policies this call creates
 * are recorded (before they exist) and removed.
 *
 *   const policies = await provisionPolicies(api, scenario.policies, vnFqNames.length, record);
 *   const vns = await provisionVns(api, vnFqNames, scenario.vns, { record, policies: policies.attachmentsFor });
 *   ... run; vns.remove() ...
 *   await policies.remove();
 */
import type { RecordChange } from '../lab/lab-change.ts';
import type { PolicySettings } from '../scenario/schema.ts';
import type { ConfigApiClient, ObjectRef, PolicyAttachment, PolicyRuleBody } from './config-api-client.ts';
import { deleteCreated } from './delete-created.ts';
import { eachLimited } from './each-limited.ts';

/** Destination port of rule 0; rule r matches FIRST_RULE_PORT + r. */
export const FIRST_RULE_PORT = 10_000;

export interface PolicyOutcome {
  name: string;
  fqName: string[];
  uuid: string;
  state: 'created' | 'exists';
}

export interface ProvisionedPolicies {
  /** Every policy of the scenario, in index order. */
  policies: PolicyOutcome[];
  /** The policies this call created; remove() deletes these. */
  created: ObjectRef[];
  /** network_policy_refs of the k-th of the scenario's VNs. */
  attachmentsFor(vnIndex: number): PolicyAttachment[];
  /**
   * Deletes the policies this call created. A VN still using one (one kept after the run) has the
   * reference removed first: the API refuses to delete a policy a VN refers to.
   */
  remove(): Promise<void>;
}

/** `<namePrefix><i>`, i = 1..count. */
export function policyNames(settings: Pick<PolicySettings, 'count' | 'namePrefix'>): string[] {
  return Array.from({ length: settings.count }, (_, i) => `${settings.namePrefix}${i + 1}`);
}

/** The rules of every policy: TCP from anywhere to anywhere, one destination port each, pass. */
export function policyRules(rules: number): PolicyRuleBody[] {
  const anywhere = [{ subnet: { ip_prefix: '0.0.0.0', ip_prefix_len: 0 } }];
  return Array.from({ length: rules }, (_, r) => ({
    direction: '<>',
    protocol: 'tcp',
    src_addresses: anywhere,
    src_ports: [{ start_port: -1, end_port: -1 }],
    dst_addresses: anywhere,
    dst_ports: [{ start_port: FIRST_RULE_PORT + r, end_port: FIRST_RULE_PORT + r }],
    action_list: { simple_action: 'pass' },
  }));
}

/** Indices (from 0) of the policies the k-th of `vnCount` VNs gets, in attachment order. */
export function policiesOfVn(vnIndex: number, vnCount: number, policyCount: number): number[] {
  const modulus = Math.min(vnCount, policyCount);
  if (modulus === 0 || vnIndex < 0 || vnIndex >= vnCount) return [];
  const out: number[] = [];
  for (let j = vnIndex % modulus; j < policyCount; j += modulus) out.push(j);
  return out;
}

export async function provisionPolicies(
  api: ConfigApiClient,
  settings: Pick<PolicySettings, 'count' | 'rules' | 'namePrefix'>,
  vnCount: number,
  record: RecordChange,
): Promise<ProvisionedPolicies> {
  const names = policyNames(settings);
  const fqNames = names.map((n) => api.policyFqName(n));
  const uuids: Array<string | undefined> = names.map(() => undefined);
  await eachLimited(fqNames, async (fq, i) => {
    uuids[i] = await api.fqNameToId('network-policy', fq);
  });
  const missing = names.flatMap((_, i) => (uuids[i] === undefined ? [i] : []));
  const created: ObjectRef[] = [];
  const remove = () => deleteCreated(api, 'network-policy', created.splice(0), { detachReferrers: true });

  if (missing.length)
    await record({
      kind: 'config-objects',
      type: 'network-policy',
      fqNames: missing.map((i) => fqNames[i]!),
    });
  const rules = policyRules(settings.rules);
  try {
    await eachLimited(missing, async (i) => {
      const policy = await api.createNetworkPolicy(names[i]!, rules);
      created.push(policy);
      uuids[i] = policy.uuid;
    });
  } catch (err) {
    await remove().catch(() => undefined);
    throw err;
  }
  const createdNow = new Set(missing);
  return {
    policies: names.map((name, i) => ({
      name,
      fqName: fqNames[i]!,
      uuid: uuids[i]!,
      state: createdNow.has(i) ? 'created' : 'exists',
    })),
    created: [...created],
    attachmentsFor: (k) =>
      policiesOfVn(k, vnCount, names.length).map((j, position) => ({
        fqName: fqNames[j]!,
        sequence: { major: position, minor: 0 },
      })),
    remove,
  };
}
