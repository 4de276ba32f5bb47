/**
 * `netscale lab provision [--remove]`: the lab's bgp-routers (the lab file's controlNodes[] and
 * routers[] `bgpRouter` sections, as provision_control.py / provision_mx.py made them). They are lab
 * setup: kept after the command. `--remove` deletes only the ones netscale created (its mark) and
 * keeps same-named ones someone else made. One line per bgp-router.
 */
import type { Command } from 'commander';
import { ConfigApiClient } from '../../contrail/config-api-client.ts';
import {
  plannedBgpRouters,
  provisionBgpRouters,
  removeProvisionedBgpRouters,
  type BgpRouterOutcome,
  type RemovedBgpRouter,
} from '../../contrail/bgp-router-provisioning.ts';
import { openLab } from '../../lab/open-lab.ts';

export interface LabProvisionOptions {
  lab?: string;
  dotenv: string;
  remove?: boolean;
}

const REMOVED_STATE: Record<RemovedBgpRouter['state'], string> = {
  removed: 'removed',
  'not-ours': 'not ours, kept',
  absent: 'absent',
};

function line(r: { name: string; labKey: string }, state: string): string {
  return `bgp-router ${r.name} (${r.labKey}): ${state}\n`;
}

export function formatProvisioned(routers: readonly BgpRouterOutcome[]): string {
  return routers.map((r) => line(r, r.state)).join('');
}

export function formatRemoved(routers: readonly RemovedBgpRouter[]): string {
  return routers
    .map((r) => line(r, REMOVED_STATE[r.state] + (r.run ? ` (created by run ${r.run})` : '')))
    .join('');
}

/**
 * Provisions (or with `remove`, removes netscale's) bgp-routers of the lab; returns the lines to print.
 * Under the lab lock; what it creates is recorded first and then marked kept, so a provisioning cut
 * short is undone by the next run or `lab restore`, and a finished one stays.
 */
export async function labProvision(o: LabProvisionOptions): Promise<string> {
  const lab = await openLab({ lab: o.lab, envFile: o.dotenv, claim: true });
  const created = lab.claim!.group();
  try {
    if (!lab.configApi)
      throw new Error(
        `${lab.file}: configApi: expected the config API section (url) to provision bgp-routers`,
      );
    if (plannedBgpRouters(lab).length === 0)
      return `no bgp-routers in ${lab.file}: add a bgpRouter section to controlNodes[] or routers[]\n`;
    const api = ConfigApiClient.fromLab(lab.configApi.config, { runId: lab.runId });
    if (o.remove) return formatRemoved(await removeProvisionedBgpRouters(api, lab));
    const provisioned = await provisionBgpRouters(api, lab, created.record);
    await created.keepAll();
    return formatProvisioned(provisioned.routers);
  } finally {
    await lab.close();
  }
}

export function registerLabProvision(lab: Command): void {
  lab
    .command('provision')
    .description(
      "create the lab file's bgp-routers that are missing (kept: lab setup); --remove deletes the ones netscale created",
    )
    .option('--remove', 'delete the bgp-routers netscale created; same-named ones it did not create are kept')
    .option('--lab <file>', 'lab file, or "sim" (default: LAB from .env or the environment)')
    .option('--dotenv <file>', '.env file to read (default .env)', '.env')
    .action(async (opts: LabProvisionOptions) => {
      process.stdout.write(await labProvision(opts));
    });
}
