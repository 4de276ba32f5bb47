import type { Command } from 'commander';
import { registerLabSim } from './lab-sim.ts';
import { registerLabProvision } from './lab-provision.ts';
import { openLab } from '../../lab/open-lab.ts';
import { checkLab, formatLabCheck } from '../../lab/check.ts';
import { stateHost } from '../../lab/lab-claim.ts';
import { forceUnlock, readLockOwner } from '../../lab/lab-lock.ts';
import { describeChange } from '../../lab/revert-change.ts';

interface LabOptions {
  lab?: string;
  dotenv: string;
}

function labOptions(c: Command): Command {
  return c
    .option('--lab <file>', 'lab file, or "sim" (default: LAB from .env or the environment)')
    .option('--dotenv <file>', '.env file to read (default .env)', '.env');
}

export function register(program: Command): void {
  const lab = program.command('lab').description('Check, start, stop, restore and unlock labs');
  labOptions(lab.command('check'))
    .description('Validate the lab configuration, connect to every host and check what its roles need')
    .action(async (opts: LabOptions) => {
      const opened = await openLab({ lab: opts.lab, envFile: opts.dotenv });
      try {
        const rows = await checkLab(opened);
        process.stdout.write(`lab "${opened.name}" (${opened.file})\n${formatLabCheck(rows)}\n`);
        const failed = rows.filter((r) => !r.ok).length;
        process.stdout.write(
          failed ? `${failed} of ${rows.length} host(s) FAILED\n` : `all ${rows.length} host(s) OK\n`,
        );
        process.exitCode = failed ? 1 : 0;
      } finally {
        await opened.close();
      }
    });
  labOptions(lab.command('restore'))
    .description(
      'Revert the lab changes (env file, addresses, VNs, policies, bgp-routers) a crashed run left',
    )
    .action(async (opts: LabOptions) => {
      // Taking the claim reverts what earlier runs left (and fails while another run holds the lab).
      const opened = await openLab({ lab: opts.lab, envFile: opts.dotenv, claim: true });
      try {
        const restored = opened.claim?.restored ?? [];
        process.stdout.write(
          restored.length === 0
            ? `lab "${opened.name}": nothing to restore\n`
            : `lab "${opened.name}": reverted ${restored.length} change(s) left by earlier runs:\n` +
                restored.map((e) => `  ${describeChange(e.change)} (run ${e.run}, ${e.at})\n`).join(''),
        );
      } finally {
        await opened.close();
      }
    });
  labOptions(lab.command('unlock'))
    .description("Show who holds the lab lock; with --force, remove it (the holder's changes stay recorded)")
    .option('--force', 'remove the lock even though its run may still be alive')
    .action(async (opts: LabOptions & { force?: boolean }) => {
      const opened = await openLab({ lab: opts.lab, envFile: opts.dotenv });
      try {
        const { host, stateDir } = stateHost(opened);
        const owner = await readLockOwner(host, stateDir);
        const who = owner && `run ${owner.runId} (${owner.user}@${owner.host}, started ${owner.startedAt})`;
        if (!owner) process.stdout.write(`lab "${opened.name}" is not locked\n`);
        else if (!opts.force) {
          process.stdout.write(`lab "${opened.name}" is in use by ${who}; --force removes the lock\n`);
          process.exitCode = 1;
        } else {
          await forceUnlock(host, stateDir);
          process.stdout.write(
            `lab "${opened.name}": removed the lock of ${who}; \`netscale lab restore\` reverts what it changed\n`,
          );
        }
      } finally {
        await opened.close();
      }
    });
  registerLabProvision(lab);
  registerLabSim(lab);
}
