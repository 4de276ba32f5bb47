import type { Command } from 'commander';
import { registerLabSim } from './lab-sim.ts';
import { openLab } from '../../lab/open-lab.ts';
import { checkLab, formatLabCheck } from '../../lab/check.ts';

export function register(program: Command): void {
  const lab = program.command('lab').description('Check, start and stop labs');
  lab
    .command('check')
    .description('Validate the lab configuration, connect to every host and check what its roles need')
    .option('--lab <file>', 'lab file, or "sim" (default: LAB from .env or the environment)')
    .option('--dotenv <file>', '.env file to read (default .env)', '.env')
    .action(async (opts: { lab?: string; dotenv: string }) => {
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
  registerLabSim(lab);
}
