/**
 * A BGP scale scenario file with its thresholds: the file (NETSCALE_SCENARIO_DIR points every suite at
 * another directory of files with the same names, e.g. a real lab's sizes), loaded with env overrides
 * (load.ts), and the thresholds that decide it: the operation's defaults, then the file's
 * `thresholds:`, then NETSCALE_THRESHOLD_<METRIC> from the env. Every error surfaces here, before a
 * lab is touched.
 */
import { basename, join } from 'node:path';
import { defaultThresholds } from '../thresholds/default-thresholds.ts';
import { ThresholdSet } from '../thresholds/threshold-set.ts';
import { loadScenario } from './load.ts';
import type { Scenario } from './schema.ts';

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  thresholds: ThresholdSet;
}

type Env = Record<string, string | undefined>;

export function resolveScenarioFile(file: string, env: Env = process.env): string {
  return env.NETSCALE_SCENARIO_DIR ? join(env.NETSCALE_SCENARIO_DIR, basename(file)) : file;
}

export function loadScenarioWithThresholds(file: string, env: Env = process.env): LoadedScenario {
  const path = resolveScenarioFile(file, env);
  const scenario = loadScenario(path, env);
  const thresholds = ThresholdSet.from({
    domain: 'bgp',
    defaults: defaultThresholds(scenario.operation),
    file: { path, thresholds: scenario.thresholds },
    env,
  });
  return { file: path, scenario, thresholds };
}
