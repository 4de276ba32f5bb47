/**
 * `netscale summarize <run-dir> [--json]`: recomputes the legacy results summary of an archived run from
 * its raw series and metadata (run-archive.ts, legacy-summary.ts) and prints it; `--json` prints the figures
 * as JSON. Like the legacy `run_get_result_prior_run`, but from data rather than log scraping.
 * A series file that is missing, truncated or unreadable costs only the figures built from it: they read
 * `no measurement (raw/<file> missing)` (in JSON: `figureNotes` of the iteration and of the scenario's
 * totals), everything else is printed and the command succeeds.
 */
import type { Command } from 'commander';
import { loadRun } from '../../report/run-archive.ts';
import { formatLegacySummary, legacySummaryFromRun } from '../../report/legacy-summary.ts';

export function register(program: Command): void {
  program
    .command('summarize')
    .description(
      'recompute the results summary of an archived run (reports/runs/<run-id>) from its raw series',
    )
    .argument('<run-dir>', 'run archive directory, e.g. reports/runs/20240501-101500-1234')
    .option('--json', 'print the summary figures as JSON')
    .action(async (runDir: string, opts: { json?: boolean }) => {
      const summary = await legacySummaryFromRun(runDir, await loadRun(runDir));
      process.stdout.write(
        opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatLegacySummary(summary),
      );
    });
}
