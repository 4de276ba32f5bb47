import type { Command } from 'commander';
import { registerLabSim } from './lab-sim.ts';
import { registerLabProvision } from './lab-provision.ts';
import { openLab } from '../../lab/open-lab.ts';
import { checkLab, formatLabCheck } from '../../lab/check.ts';
import { stateHost } from '../../lab/lab-claim.ts';
import { forceUnlock, LabBusyError, readLockOwner } from '../../lab/lab-lock.ts';
import type { Lab } from '../../lab/lab.ts';
import { runAndExpect } from '../../measure/run-and-expect.ts';
import { describeChange } from '../../lab/revert-change.ts';
import { ChangeRecord } from '../../lab/change-record.ts';
import { monotonicMs } from '../../clock.ts';

interface LabOptions {
  lab?: string;
  dotenv: string;
}

function labOptions(c: Command): Command {
  return c
    .option('--lab <file>', 'lab file, or "sim" (default: LAB from .env or the environment)')
    .option('--dotenv <file>', '.env file to read (default .env)', '.env');
}

/**
 * Opens the lab with its claim; while another run holds it, tries again until `waitS` has passed.
 * Waiting, it first looks without claiming: a lab that is free with nothing pending is not claimed at all
 * (its name is returned), so a restore handed off by an interrupted run that then cleaned up after itself does not
 * hold the lab against the next run.
 */
async function openClaimed(opts: LabOptions, waitS: number, afterPid?: number): Promise<Lab | string> {
  if (!(waitS >= 0)) throw new Error(`--wait: expected seconds >= 0, found ${waitS}`);
  if (afterPid !== undefined && !(Number.isInteger(afterPid) && afterPid > 0))
    throw new Error(`--after-pid: expected a process id, found ${afterPid}`);
  const open = () => openLab({ lab: opts.lab, envFile: opts.dotenv, claim: true });
  if (waitS === 0) return open();
  const started = monotonicMs();
  if (afterPid !== undefined) {
    // The run that handed this over cleans up as it exits: no claim is tried before then.
    await runAndExpect(() => processExists(afterPid), false, { timeoutMs: waitS * 1000, intervalMs: 200 });
  }
  const leftS = Math.max(0, waitS - (monotonicMs() - started) / 1000);
  const look = await openLab({ lab: opts.lab, envFile: opts.dotenv });
  try {
    const { host, stateDir } = stateHost(look);
    const record = new ChangeRecord(host, stateDir, { runId: '', owner: '' });
    const settled = async () =>
      (await readLockOwner(host, stateDir)) === undefined && (await record.pending()).length === 0;
    // Only "in use" is worth waiting out; any other error ends the wait at once.
    const r = await runAndExpect(
      async () =>
        (await settled())
          ? ('settled' as const)
          : open().catch((err: unknown) => {
              if (err instanceof LabBusyError) throw err;
              return err as Error;
            }),
      (v: unknown) => v !== undefined,
      { timeoutMs: leftS * 1000, intervalMs: 1000 },
    );
    if (!r.ok || r.value === undefined) throw new Error(r.message);
    if (r.value instanceof Error) throw r.value;
    return r.value === 'settled' ? look.name : r.value;
  } finally {
    await look.close();
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    .option('--wait <seconds>', 'while another run holds the lab, wait this long for it to let go', '0')
    .option(
      '--after-pid <pid>',
      'with --wait: first wait for this local process (the run handing over) to exit',
    )
    .action(async (opts: LabOptions & { wait: string; afterPid?: string }) => {
      // Taking the claim reverts what earlier runs left (and fails while another run holds the lab).
      const afterPid = opts.afterPid === undefined ? undefined : Number(opts.afterPid);
      const opened = await openClaimed(opts, Number(opts.wait), afterPid);
      if (typeof opened === 'string') {
        process.stdout.write(`lab "${opened}": free, nothing to restore\n`);
        return;
      }
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
