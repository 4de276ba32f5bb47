/**
 * Invalid configuration, found before any host is touched. Each problem is
 * one line "<file>: <key path>: <what was expected>, found <what was there>".
 */
import { redact } from '../log/redact.ts';

export interface ConfigProblem {
  /** Dotted key path with [i] for array items, e.g. testServers[1].host ('' for the whole file). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(redact(problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n')));
    this.name = 'ConfigError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Short rendering of a found value for messages. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value.length > 60 ? value.slice(0, 57) + '...' : value}"`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return `a map with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return String(value);
}
