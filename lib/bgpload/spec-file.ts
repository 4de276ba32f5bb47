/** Reads a bgp-load or bgp-monitor spec file; every problem names the file and the key. */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError, describeFound, formatPath, type ConfigProblem } from '../config/config-error.ts';

/** The value at `path` in the file's JSON (refinements do not carry their input). */
function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function problems(error: z.ZodError, json: unknown): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `unknown key "${key}"`,
      }));
    }
    const input = valueAt(json, issue.path);
    return [{ path: formatPath(issue.path), message: `${issue.message}, found ${describeFound(input)}` }];
  });
}

/** Checks already-parsed JSON against `schema`; `file` names the source in errors. */
export function parseSpec<S extends z.ZodType>(schema: S, json: unknown, file: string): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, problems(parsed.error, json));
  return parsed.data;
}

export async function readSpecFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the spec: ${(err as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `expected JSON: ${(err as Error).message}` }]);
  }
  return parseSpec(schema, json, file);
}
