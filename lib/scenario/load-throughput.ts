/**
 * Loads a throughput scenario file (YAML or JSON, lib/scenario/throughput-schema.ts) with its thresholds.
 *
 *   loadThroughputScenario('scenarios/throughput/continuous.yaml', process.env)
 *     -> { file, scenario, thresholds }
 *   parseThroughputScenario(text, 'label-for-errors') -> ThroughputScenario
 *
 * NETSCALE_SCENARIO_DIR points at another directory of scenario files with the same names (a real
 * lab's sizes next to the embedded lab's), as for the BGP scenarios.
 * Thresholds: lib/thresholds' throughput defaults, then the file's `thresholds:`, then
 * NETSCALE_THRESHOLD_<METRIC> from the env (ThresholdSet, domain 'throughput').
 *
 * Errors are ScenarioError with one line per problem: `<file>: <key.path>: <what is wrong>`; a bad
 * threshold is a ThresholdError naming the file and `thresholds.<metric>`, or the env var.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { defaultThroughputThresholds } from '../thresholds/default-thresholds.ts';
import { ThresholdSet } from '../thresholds/threshold-set.ts';
import { ScenarioError, formatIssues } from './load.ts';
import { resolveScenarioFile } from './loaded-scenario.ts';
import { throughputScenarioSchema, type ThroughputScenario } from './throughput-schema.ts';

type Env = Record<string, string | undefined>;

export interface LoadedThroughputScenario {
  /** The file actually read (after NETSCALE_SCENARIO_DIR). */
  file: string;
  scenario: ThroughputScenario;
  thresholds: ThresholdSet;
}

export function loadThroughputScenario(file: string, env: Env = process.env): LoadedThroughputScenario {
  const path = resolveScenarioFile(file, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    const via = path === file ? '' : ` (${file} under NETSCALE_SCENARIO_DIR=${env.NETSCALE_SCENARIO_DIR})`;
    throw new ScenarioError(`${path}: cannot read throughput scenario file${via} (${why})`);
  }
  const scenario = parseThroughputScenario(text, path);
  const thresholds = ThresholdSet.from({
    domain: 'throughput',
    defaults: defaultThroughputThresholds(),
    file: { path, thresholds: scenario.thresholds },
    env,
  });
  return { file: path, scenario, thresholds };
}

export function parseThroughputScenario(text: string, source: string): ThroughputScenario {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${source}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const raw: unknown = doc.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ScenarioError(
      `${source}: expected a mapping of throughput scenario keys, found ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`,
    );
  }
  const parsed = throughputScenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ScenarioError(formatIssues(parsed.error.issues.flatMap(pointAtKey), source));
  return parsed.data;
}

/**
 * Makes zod's issues name the key at fault: an unknown key gets its own path (`search.relativWidth:
 * unknown key`, not `search: Unrecognized key`), and a bad `kind` shows the value found, not the mapping.
 */
function pointAtKey(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      ...issue,
      path: [...issue.path, key],
      message: 'unknown key',
      input: undefined,
    }));
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    const mapping = typeof issue.input === 'object' ? (issue.input as Record<string, unknown> | null) : null;
    return [{ ...issue, input: mapping?.[issue.discriminator] }];
  }
  return [issue];
}
