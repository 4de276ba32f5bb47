/**
 * The env vars a scenario starts the control node with (controlNode.env, legacy cn_env), written into
 * the lab's envFile key by key: the original is copied beside it first and the change is recorded in
 * the lab's change record before anything is written, so the file comes back byte for byte after the
 * run, also after a crash (the next run or `netscale lab restore` restores it and restarts the node).
 *
 *   const entry = await applyControlNodeEnv(claim, lab.controlNodes[0], 0, { XMPP_KEEPALIVE_SECONDS: '300000' });
 *   ... await claim.revert(entry);   // original file back, control node restarted
 */
import type { ControlNodeConfig } from '../config/lab-schema.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { editEnvFile } from '../lab/env-file.ts';
import type { ChangeEntry } from '../lab/change-record.ts';
import type { LabClaim } from '../lab/lab-claim.ts';
import type { Role } from '../lab/lab.ts';

export const ENV_BACKUP_SUFFIX = '.netscale-backup';

export async function applyControlNodeEnv(
  claim: LabClaim,
  role: Role<ControlNodeConfig>,
  index: number,
  env: Readonly<Record<string, string>>,
): Promise<ChangeEntry | undefined> {
  const keys = Object.keys(env);
  if (keys.length === 0) return undefined;
  const path = role.config.envFile;
  const where = `control node ${role.hostName}`;
  if (!path)
    throw new Error(
      `${where}: the scenario sets controlNode.env (${keys.join(', ')}) but the lab file's controlNodes[${index}].envFile is not set`,
    );
  const backup = `${path}${ENV_BACKUP_SUFFIX}`;
  const probe = await role.host.exec(
    `[ -e ${shellQuote(backup)} ] && echo backup; [ -e ${shellQuote(path)} ] && echo exists; true`,
    { timeoutMs: 60_000 },
  );
  if (probe.stdout.includes('backup'))
    // Not in the change record (the claim would have restored it): not ours to overwrite.
    throw new Error(
      `${where}: ${backup} already exists and no run recorded it: restore ${path} from it by hand (or remove it), then run again`,
    );
  const existed = probe.stdout.includes('exists');
  const entry = await claim.change({
    kind: 'env-file',
    host: role.hostName,
    path,
    backup,
    created: !existed,
    restartControlNode: index,
  });
  if (existed) {
    const cp = await role.host.exec(`cp -p ${shellQuote(path)} ${shellQuote(backup)}`, { timeoutMs: 60_000 });
    if (cp.code !== 0)
      throw new Error(`${where}: backing up ${path} to ${backup} failed: ${cp.stderr.trim().slice(0, 300)}`);
  }
  const original = existed ? (await role.host.readFile(path)).toString('utf8') : '';
  await role.host.writeFile(path, editEnvFile(original, env));
  return entry;
}
