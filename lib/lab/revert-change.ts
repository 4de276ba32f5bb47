/**
 * Undoes one recorded lab change (lib/lab/lab-change.ts) from the record alone, so the run that made it
 * need not be alive: the next run and `netscale lab restore` use the same code as a run's own teardown.
 * Each revert is idempotent: undoing what is already undone (or was never made) succeeds.
 */
import { removeAddressesCommand } from '../bgpstress/secondary-addresses.ts';
import { ConfigApiClient, netscaleRunOf, type ObjectRef } from '../contrail/config-api-client.ts';
import { deleteCreated } from '../contrail/delete-created.ts';
import { eachLimited } from '../contrail/each-limited.ts';
import { ContrailControlNode } from '../dut/contrail-control-node.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { LabChange } from './lab-change.ts';
import type { Lab } from './lab.ts';

type RevertLab = Pick<Lab, 'name' | 'hosts' | 'controlNodes' | 'configApi'>;

function hostOf(lab: RevertLab, name: string) {
  const host = lab.hosts[name];
  if (!host)
    throw new Error(
      `lab ${lab.name}: the change record names host ${name}, which the lab file no longer has`,
    );
  return host;
}

/** One line saying what the change was, for logs and `lab restore`. */
export function describeChange(c: LabChange): string {
  switch (c.kind) {
    case 'env-file':
      return `env file ${c.path} on ${c.host}`;
    case 'addresses':
      return `${c.addresses.length} address(es) on ${c.host} ${c.device}`;
    case 'config-objects':
      return `${c.fqNames.length} ${c.type}(s) (${c.fqNames
        .slice(0, 3)
        .map((f) => f[f.length - 1])
        .join(', ')}${c.fqNames.length > 3 ? ', ...' : ''})`;
  }
}

/** `runId`: the run that recorded the change (config objects are deleted only when they carry its mark). */
export async function revertChange(lab: RevertLab, c: LabChange, runId: string): Promise<void> {
  switch (c.kind) {
    case 'env-file': {
      const [path, backup] = [shellQuote(c.path), shellQuote(c.backup)];
      // cp -p: the original's bytes, mode and times; the backup goes only once the copy succeeded.
      const restore = `if [ -e ${backup} ]; then cp -p ${backup} ${path} && rm -f ${backup}; elif ${c.created ? 'true' : 'false'}; then rm -f ${path}; fi`;
      const r = await hostOf(lab, c.host).exec(restore, { timeoutMs: 120_000 });
      if (r.code !== 0)
        throw new Error(
          `${c.host}: restoring ${c.path} from ${c.backup} failed: ${r.stderr.trim().slice(0, 300)}`,
        );
      if (c.restartControlNode !== undefined) {
        const role = lab.controlNodes[c.restartControlNode];
        if (!role)
          throw new Error(`lab ${lab.name}: controlNodes[${c.restartControlNode}] is gone from the lab file`);
        await new ContrailControlNode(role).restart();
      }
      return;
    }
    case 'addresses': {
      const cmd = removeAddressesCommand(c.device, c.addresses, c.prefixLen);
      // ip -force: an address already gone is not an error for the rest.
      const r = await hostOf(lab, c.host).exec(cmd.command, { input: cmd.input, timeoutMs: 120_000 });
      if (r.code !== 0 && !/Cannot assign requested address|Address not found/.test(r.stderr))
        throw new Error(
          `${c.host}: removing agent source addresses failed: ${r.stderr.trim().slice(0, 300)}`,
        );
      return;
    }
    case 'config-objects': {
      if (!lab.configApi)
        throw new Error(`lab ${lab.name}: ${describeChange(c)} to delete, but the lab has no configApi`);
      const api = ConfigApiClient.fromLab(lab.configApi.config);
      // Only objects that carry this run's mark: a name recorded but never created may since belong to
      // someone else.
      const ours: ObjectRef[] = [];
      await eachLimited(c.fqNames, async (fq) => {
        const uuid = await api.fqNameToId(c.type, fq);
        const obj = uuid ? await api.readObject(c.type, uuid) : undefined;
        if (uuid && obj && netscaleRunOf(obj) === runId) ours.push({ uuid, fqName: fq, href: '' });
      });
      // A policy or bgp-router may still be referred to (a kept VN, a peer): detached first.
      await deleteCreated(api, c.type, ours, { detachReferrers: c.type !== 'virtual-network' });
      return;
    }
  }
}
