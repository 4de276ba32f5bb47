/**
 * ${VAR} references in lab files, resolved from the environment so secrets
 * stay out of the file. A missing variable is a config problem at the key
 * that referenced it.
 */
import type { ConfigProblem } from './config-error.ts';
import { formatPath } from './config-error.ts';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function interpolate(
  value: unknown,
  vars: Record<string, string | undefined>,
  problems: ConfigProblem[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (whole, name: string) => {
      const v = vars[name];
      if (v === undefined) {
        problems.push({
          path: formatPath(path),
          message: `expected environment variable ${name} (referenced as ${whole}), found it unset: set it in .env or the environment`,
        });
        return whole;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, vars, problems, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, problems, [...path, k])]),
    );
  }
  return value;
}
