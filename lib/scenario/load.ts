/**
 * Loads a scenario file (YAML or JSON) and applies environment overrides.
 *
 *   loadScenario('scenarios/route-scale.yaml', process.env) -> Scenario
 *   parseScenario(text, 'label-for-errors', env) -> Scenario
 *
 * Environment overrides (applied after the file, before validation, so a bad
 * value is reported with the variable's name):
 *   NETSCALE_ITERATIONS   "IxAxR,IxAxR"  e.g. "2x10x100,4x10x100" (instances x agents x routes)
 *   NETSCALE_PARALLEL     true|false
 *   NETSCALE_SERVERS      "a2s41,10.84.7.39" or "10.84.55.1+3" (start address + count)
 *   NETSCALE_SCENARIO_OVERRIDES  a YAML/JSON object deep-merged over the file,
 *                         e.g. '{bgpStress: {extraFlags: "--log-level=SYS_EMERG"}}'
 * Threshold overrides (NETSCALE_THRESHOLD_<METRIC>) are applied by lib/thresholds' ThresholdSet.
 *
 * Errors are ScenarioError with one line per problem: `<file>: <key.path>: <what is wrong>`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../config/config-error.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Env = Record<string, string | undefined>;
type PlainObject = Record<string, unknown>;

export function loadScenario(file: string, env: Env = process.env): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(
      `${file}: cannot read scenario file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return parseScenario(text, file, env);
}

export function parseScenario(text: string, source: string, env: Env = {}): Scenario {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${source}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const raw: unknown = doc.toJS();
  if (!isPlainObject(raw))
    throw new ScenarioError(`${source}: expected a mapping of scenario keys, found ${describe(raw)}`);
  const withEnv = applyEnvOverrides(raw, env);
  const parsed = scenarioSchema.safeParse(withEnv.value, { reportInput: true });
  if (!parsed.success) throw new ScenarioError(formatIssues(parsed.error.issues, source, withEnv.origins));
  return parsed.data;
}

/** Which env var set a top-level key, so errors name the variable instead of the file. */
type Origins = Map<string, string>;

function applyEnvOverrides(raw: PlainObject, env: Env): { value: PlainObject; origins: Origins } {
  const origins: Origins = new Map();
  let value: PlainObject = { ...raw };
  const overrides = env.NETSCALE_SCENARIO_OVERRIDES;
  if (overrides) {
    const doc = parseDocument(overrides);
    const obj: unknown = doc.errors.length ? undefined : doc.toJS();
    if (!isPlainObject(obj)) {
      throw new ScenarioError(
        `NETSCALE_SCENARIO_OVERRIDES: expected a YAML/JSON mapping, found ${JSON.stringify(overrides)}`,
      );
    }
    value = deepMerge(value, obj);
    for (const key of Object.keys(obj)) origins.set(key, 'NETSCALE_SCENARIO_OVERRIDES');
  }
  if (env.NETSCALE_ITERATIONS) {
    value.iterations = parseIterationsEnv(env.NETSCALE_ITERATIONS);
    origins.set('iterations', 'NETSCALE_ITERATIONS');
  }
  if (env.NETSCALE_PARALLEL) {
    value.parallel = parseBoolEnv('NETSCALE_PARALLEL', env.NETSCALE_PARALLEL);
    origins.set('parallel', 'NETSCALE_PARALLEL');
  }
  if (env.NETSCALE_SERVERS) {
    value.servers = parseServersEnv(env.NETSCALE_SERVERS);
    origins.set('servers', 'NETSCALE_SERVERS');
  }
  return { value, origins };
}

function parseIterationsEnv(text: string): unknown[] {
  return text.split(',').map((part, i) => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\s*$/.exec(part);
    if (!m) {
      throw new ScenarioError(
        `NETSCALE_ITERATIONS: item ${i + 1} ${JSON.stringify(part)} is not instances x agents x routes (e.g. 2x10x100)`,
      );
    }
    return { instances: Number(m[1]), agents: Number(m[2]), routes: Number(m[3]) };
  });
}

function parseBoolEnv(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw new ScenarioError(`${name}: expected true or false, found ${JSON.stringify(text)}`);
}

function parseServersEnv(text: string): unknown {
  const range = /^\s*([\d.]+)\s*\+\s*(\d+)\s*$/.exec(text);
  if (range) return { start: range[1], count: Number(range[2]) };
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  source: string,
  origins: Origins = new Map(),
): string {
  return issues
    .map((issue) => {
      const top = issue.path[0];
      const where = (typeof top === 'string' && origins.get(top)) || source;
      const found = 'input' in issue && issue.input !== undefined ? ` (found ${describe(issue.input)})` : '';
      return `${where}: ${formatPath(issue.path) || '(top level)'}: ${issue.message}${found}`;
    })
    .join('\n');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: PlainObject, over: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}
