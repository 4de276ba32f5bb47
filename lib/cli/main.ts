/** Entry of the `netscale` command: each subcommand lives in its own module under commands/. */
import { Command, CommanderError } from 'commander';
import { CliFailure } from './cli-failure.ts';
import { register as registerLab } from './commands/lab.ts';
import { register as registerIntrospect } from './commands/introspect.ts';
import { register as registerSummarize } from './commands/summarize.ts';
import { register as registerImportParams } from './commands/import-params.ts';
import { register as registerMoongen } from './commands/moongen.ts';
import { register as registerCompare } from './commands/compare.ts';
import { register as registerBgpLoad } from './commands/bgp-load.ts';
import { register as registerBgpMonitor } from './commands/bgp-monitor.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('netscale')
    .description('Scale and throughput testing of network control and data planes')
    .exitOverride()
    .showHelpAfterError();
  registerLab(program);
  registerIntrospect(program);
  registerSummarize(program);
  registerImportParams(program);
  registerMoongen(program);
  registerCompare(program);
  registerBgpLoad(program);
  registerBgpMonitor(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliFailure) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`netscale: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
