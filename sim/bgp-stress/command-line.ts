/**
 * boost::program_options command-line semantics as bgp_stress_test uses
 * them: `--opt=value` and `--opt value`, unambiguous prefixes accepted
 * (allow_guessing: the legacy harness's `--log-local` is
 * `--log-local-disable`), and boost's error wording.
 */
import { HELP_CAPTION, OPTION_SPECS } from './option-table.ts';
import type { OptionSpec } from './option-table.ts';

/** A command-line error worded like boost::program_options' exception what(). */
export class CommandLineError extends Error {
  constructor(
    message: string,
    /** boost exception class, e.g. unknown_option. */
    readonly boostType: string,
  ) {
    super(message);
    this.name = 'CommandLineError';
  }
}

/** Option name -> raw value ('' for switches), only for options given on the command line. */
export type GivenOptions = Map<string, string>;

function resolve(name: string): OptionSpec | undefined {
  const exact = OPTION_SPECS.find((o) => o.name === name);
  if (exact) return exact;
  const candidates = OPTION_SPECS.filter((o) => o.name.startsWith(name));
  if (candidates.length > 1) {
    const list = candidates.map((o) => `'--${o.name}'`).join(', ');
    throw new CommandLineError(`option '--${name}' is ambiguous and matches ${list}`, 'ambiguous_option');
  }
  return candidates[0];
}

function checkValue(spec: OptionSpec, value: string): void {
  const int = /^[+-]?\d+$/;
  let ok: boolean;
  switch (spec.kind) {
    case 'int':
      ok = int.test(value) && Math.abs(Number(value)) <= 2 ** 31 - (value.startsWith('-') ? 0 : 1);
      break;
    case 'uint':
      ok = /^\+?\d+$/.test(value) && Number(value) <= 2 ** 32 - 1;
      break;
    case 'ulong':
      ok = /^\+?\d+$/.test(value) && Number(value) <= Number.MAX_SAFE_INTEGER;
      break;
    case 'float':
      ok = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value);
      break;
    default:
      ok = true;
  }
  if (!ok) {
    throw new CommandLineError(
      `the argument ('${value}') for option '--${spec.name}' is invalid`,
      'validation_error',
    );
  }
}

export function parseCommandLine(argv: readonly string[]): GivenOptions {
  const given: GivenOptions = new Map();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (!token.startsWith('-') || token === '-' || token === '--') {
      throw new CommandLineError(
        'too many positional options have been specified on the command line',
        'too_many_positional_options_error',
      );
    }
    if (!token.startsWith('--')) {
      throw new CommandLineError(`unrecognised option '${token}'`, 'unknown_option');
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const spec = resolve(name);
    if (!spec) throw new CommandLineError(`unrecognised option '--${name}'`, 'unknown_option');
    let value: string;
    if (spec.kind === 'switch') {
      if (eq >= 0) {
        throw new CommandLineError(
          `option '--${spec.name}' does not take any arguments`,
          'invalid_command_line_syntax',
        );
      }
      value = '';
    } else if (eq >= 0) {
      value = token.slice(eq + 1);
    } else {
      // The next token is the value unless it is itself a known long option
      // (so `--nevents -1` works, as with boost).
      const next = argv[i + 1];
      const nextIsOption = next !== undefined && next.startsWith('--') && isKnown(next);
      if (next === undefined || nextIsOption) {
        throw new CommandLineError(
          `the required argument for option '--${spec.name}' is missing`,
          'invalid_command_line_syntax',
        );
      }
      value = next;
      i++;
    }
    checkValue(spec, value);
    if (given.has(spec.name)) {
      throw new CommandLineError(
        `option '--${spec.name}' cannot be specified more than once`,
        'multiple_occurrences',
      );
    }
    given.set(spec.name, value);
  }
  return given;
}

function isKnown(token: string): boolean {
  const eq = token.indexOf('=');
  try {
    return resolve(token.slice(2, eq < 0 ? undefined : eq)) !== undefined;
  } catch {
    return true;
  }
}

const LINE_LENGTH = 80;
const MIN_DESCRIPTION_LENGTH = 40;

function firstColumn(spec: OptionSpec): string {
  const param = spec.kind === 'switch' ? '' : spec.default !== undefined ? `arg (=${spec.default})` : 'arg';
  return `  --${spec.name} ${param}`;
}

/** Word-wraps a description into the column boost uses. */
function wrap(text: string, indent: number): string {
  const width = LINE_LENGTH - indent;
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > 0 ? cut : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, '');
  }
  lines.push(rest);
  return lines.join('\n' + ' '.repeat(indent));
}

/** The help text as `cout << desc << "\n"` prints it in the real tool. */
export function helpText(): string {
  const widest = Math.max(23, ...OPTION_SPECS.map((o) => firstColumn(o).length));
  const column = Math.min(widest, LINE_LENGTH - MIN_DESCRIPTION_LENGTH - 1) + 1;
  const lines = OPTION_SPECS.map((o) => {
    const first = firstColumn(o);
    const pad = first.length >= column ? '\n' + ' '.repeat(column) : ' '.repeat(column - first.length);
    return first + pad + wrap(o.description, column);
  });
  return `${HELP_CAPTION}:\n${lines.join('\n')}\n\n`;
}
