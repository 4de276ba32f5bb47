/**
 * The thresholds of one scenario: defaults, overridden by the scenario file, overridden by env.
 *
 * API:
 * - `ThresholdSet.from({ defaults, file?, env? })`:
 *     defaults: { metric: expr }                       (source 'default')
 *     file:     { path, thresholds: { metric: expr }, key? = 'thresholds' }  (source 'scenario file <path>, key <key>.<metric>')
 *     env:      process.env-like; NETSCALE_THRESHOLD_<METRIC>=expr overrides a known metric
 *               (METRIC = metric upper-cased, non-alphanumerics as '_'); the value 'off' removes it.
 *   A bad expression throws ThresholdError naming the file and key, or the env var.
 *   Env vars naming no known metric are listed in `warnings` (a typo must not pass silently).
 * - `set.get(metric)`, `set.list()`, `set.metrics()`, `set.with(metric, expr, source?)` (a copy with one more).
 * - `set.checkAll(measurements)` / `checkAll(thresholds, measurements)` -> ThresholdReport: every threshold is
 *   evaluated (never stops at the first failure); a missing measurement is a failure.
 *   ThresholdReport {pass, results, failures, message} — message lists every failure, one per line.
 * - `thresholdEnvVar(metric)` -> 'NETSCALE_THRESHOLD_PREFIX_ADD_TIME'.
 */
import {
  type Measured,
  type Threshold,
  type ThresholdResult,
  ThresholdError,
  evaluateThreshold,
  parseThreshold,
} from './threshold.ts';

export const THRESHOLD_ENV_PREFIX = 'NETSCALE_THRESHOLD_';

export function thresholdEnvVar(metric: string): string {
  return THRESHOLD_ENV_PREFIX + metric.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export interface ThresholdFileSource {
  path: string;
  thresholds: Record<string, unknown> | undefined;
  /** Key of the thresholds map in the file, for error messages. Default 'thresholds'. */
  key?: string;
}

export interface ThresholdSources {
  defaults: Record<string, string>;
  file?: ThresholdFileSource;
  env?: Record<string, string | undefined>;
}

export interface ThresholdReport {
  pass: boolean;
  results: ThresholdResult[];
  failures: ThresholdResult[];
  /** 'all N thresholds met' or one line per failure. */
  message: string;
}

const OFF = /^\s*off\s*$/i;

export class ThresholdSet {
  private constructor(
    private readonly byMetric: ReadonlyMap<string, Threshold>,
    /** Problems that are not errors, e.g. an env override naming no known metric. */
    readonly warnings: readonly string[] = [],
  ) {}

  static of(thresholds: Iterable<Threshold>): ThresholdSet {
    return new ThresholdSet(new Map([...thresholds].map((t) => [t.metric, t])));
  }

  static from(sources: ThresholdSources): ThresholdSet {
    const map = new Map<string, Threshold>();
    const apply = (metric: string, expr: unknown, source: string) => {
      if (typeof expr === 'string' && OFF.test(expr)) map.delete(metric);
      else map.set(metric, parseThreshold(metric, expr as string, source));
    };
    for (const [metric, expr] of Object.entries(sources.defaults)) apply(metric, expr, 'default');

    const file = sources.file;
    if (file?.thresholds !== undefined) {
      const key = file.key ?? 'thresholds';
      if (typeof file.thresholds !== 'object' || file.thresholds === null || Array.isArray(file.thresholds)) {
        throw new ThresholdError(
          `scenario file ${file.path}, key ${key}`,
          `expected a map of metric: expression, found ${JSON.stringify(file.thresholds)}`,
        );
      }
      for (const [metric, expr] of Object.entries(file.thresholds)) {
        apply(metric, expr, `scenario file ${file.path}, key ${key}.${metric}`);
      }
    }

    const warnings: string[] = [];
    if (sources.env) {
      const known = new Map(
        [...map.keys(), ...Object.keys(sources.defaults)].map((m) => [thresholdEnvVar(m), m]),
      );
      for (const [name, expr] of Object.entries(sources.env)) {
        if (!name.startsWith(THRESHOLD_ENV_PREFIX) || expr === undefined) continue;
        const metric = known.get(name);
        if (metric === undefined) {
          warnings.push(
            `env ${name} names no threshold of this scenario (known: ${[...known.keys()].join(', ') || 'none'})`,
          );
          continue;
        }
        apply(metric, expr, `env ${name}`);
      }
    }
    return new ThresholdSet(map, warnings);
  }

  get(metric: string): Threshold | undefined {
    return this.byMetric.get(metric);
  }

  list(): Threshold[] {
    return [...this.byMetric.values()];
  }

  metrics(): string[] {
    return [...this.byMetric.keys()];
  }

  with(metric: string, expr: string, source = 'code'): ThresholdSet {
    const map = new Map(this.byMetric);
    map.set(metric, parseThreshold(metric, expr, source));
    return new ThresholdSet(map, this.warnings);
  }

  checkAll(measurements: Record<string, Measured>): ThresholdReport {
    return checkAll(this.list(), measurements);
  }
}

export function checkAll(
  thresholds: Iterable<Threshold>,
  measurements: Record<string, Measured>,
): ThresholdReport {
  const results = [...thresholds].map((t) => evaluateThreshold(t, measurements[t.metric]));
  const failures = results.filter((r) => !r.pass);
  const message =
    failures.length === 0
      ? `all ${results.length} thresholds met`
      : `${failures.length} of ${results.length} thresholds failed:\n` +
        failures.map((f) => `  - ${f.message} [${f.source}]`).join('\n');
  return { pass: failures.length === 0, results, failures, message };
}
