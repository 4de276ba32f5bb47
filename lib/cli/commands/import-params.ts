/**
 * `netscale import-params <params.ini> [-o file] [--json] [--name NAME] [--control-node-cpus N]`:
 * converts a legacy params.ini into a scenario file. Warnings (every key not
 * imported, with why), lab-file notes and errors go to stderr as
 * `<file>:<line>: ...`; any error exits 1 without writing the output.
 * --control-node-cpus gives the CPU threads of the control node, from which the
 * legacy run_cpu_test derived its number of consecutive runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { stringify } from 'yaml';
import { importParams } from '../../scenario/import-params.ts';
import { scenarioSchema } from '../../scenario/schema.ts';

interface Options {
  output?: string;
  json?: boolean;
  name?: string;
  controlNodeCpus?: number;
}

export function register(program: Command): void {
  program
    .command('import-params')
    .description('Convert a legacy params.ini into a scenario file (YAML, or JSON with --json)')
    .argument('<params.ini>', 'legacy parameter file')
    .option('-o, --output <file>', 'write the scenario here instead of stdout')
    .option('--json', 'print the complete scenario (defaults filled in) as JSON')
    .option('--name <name>', 'scenario name (default: derived from the file name)')
    .option(
      '--control-node-cpus <n>',
      "the control node's CPU threads: run_cpu_test=1 becomes threads / cpu_mulitplier runs",
      parseCpuCount,
    )
    .action((file: string, opts: Options) => {
      process.exitCode = runImportParams(file, opts);
    });
}

export function runImportParams(file: string, opts: Options): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
    return 1;
  }
  const name = opts.name ?? nameFromFile(file);
  const result = importParams(text, { name, controlNodeCpus: opts.controlNodeCpus });
  const at = (line: number) => (line > 0 ? `${file}:${line}` : file);
  for (const w of result.warnings) process.stderr.write(`${at(w.line)}: warning: ${w.message}\n`);
  for (const n of result.labNotes) process.stderr.write(`${at(n.line)}: note: ${n.message}\n`);
  for (const e of result.errors) process.stderr.write(`${at(e.line)}: error: ${e.message}\n`);
  if (result.errors.length > 0) {
    process.stderr.write(`${file}: ${result.errors.length} error(s); no scenario written\n`);
    return 1;
  }
  const out = opts.json
    ? `${JSON.stringify(scenarioSchema.parse(result.scenario), null, 2)}\n`
    : `# Imported from ${basename(file)} by netscale import-params\n${stringify(result.scenario)}`;
  if (opts.output) writeFileSync(opts.output, out);
  else process.stdout.write(out);
  return 0;
}

function parseCpuCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`expected a whole number of CPU threads (at least 1), found "${value}"`);
  return Number(value);
}

function nameFromFile(file: string): string {
  const stem = basename(file)
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z0-9]/.test(stem) ? stem : `imported-${stem || 'params'}`;
}
