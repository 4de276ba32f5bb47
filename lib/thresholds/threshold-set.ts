/**
 * The thresholds of one scenario: defaults, overridden by the scenario file, overridden by env. Only
 * metrics of the metric catalogue (metric-catalogue.ts) can have one: a threshold on a metric nothing
 * measures would never fail, so a misspelt name is an error, not a silent no-op.
 *
 * API:
 * - `ThresholdSet.from({ domain?, defaults, file?, env? })`:
 *     domain:   'bgp' (default) or 'throughput': the catalogue metrics this set may name
 *     defaults: { metric: expr }                       (source 'default')
 *     file:     { path, thresholds: { metric: expr }, key? = 'thresholds' }  (source 'scenario file <path>, key <key>.<metric>')
 *     env:      process.env-like; NETSCALE_THRESHOLD_<METRIC>=expr sets or overrides the threshold of any
 *               metric of the domain (METRIC = metric upper-cased, non-alphanumerics as '_'); 'off' removes it.
 *   Any metric of the domain can be given a threshold by any source, whether or not the defaults list it.
 *   Throws ThresholdError naming the file and key, or the env var, for a bad expression or a limit in
 *   another unit than the metric's (`cpu_peak: '< 30s'`); and, listing the known metrics, for a metric of
 *   the other domain in defaults or file, or a name in defaults, file or NETSCALE_THRESHOLD_* that is no
 *   metric at all. An env var naming a metric of the other domain is ignored: one environment (a nightly
 *   job) carries the overrides of BGP and throughput scenarios alike.
 * - `set.get(metric)`, `set.list()`, `set.metrics()`, `set.with(metric, expr, source?)` (a copy with one more).
 * - `ThresholdSet.of(thresholds)`: a set of already parsed thresholds, any metric names (no catalogue check).
 * - `set.checkAll(measurements)` / `checkAll(thresholds, measurements)` -> ThresholdReport: every threshold is
 *   evaluated (never stops at the first failure); a missing measurement is a failure.
 *   ThresholdReport {pass, results, failures, message} — message lists every failure, one per line.
 * - `thresholdEnvVar(metric)` -> 'NETSCALE_THRESHOLD_PREFIX_ADD_TIME'; `isThresholdOff(expr)`.
 */
import {
  type MetricDomain,
  type MetricName,
  METRICS,
  isMetricName,
  metricNames,
} from './metric-catalogue.ts';
import type { BaseUnit } from './quantity.ts';
import {
  type Measured,
  type Threshold,
  type ThresholdBaseline,
  type ThresholdResult,
  ThresholdError,
  evaluateThreshold,
  parseThreshold,
} from './threshold.ts';

export const THRESHOLD_ENV_PREFIX = 'NETSCALE_THRESHOLD_';

export function thresholdEnvVar(metric: string): string {
  return THRESHOLD_ENV_PREFIX + metric.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Threshold expressions by metric, e.g. { prefix_add_time: '< 30s' }. */
export type ThresholdExpressions = Partial<Record<MetricName, string>>;

export interface ThresholdFileSource {
  path: string;
  thresholds: Record<string, unknown> | undefined;
  /** Key of the thresholds map in the file, for error messages. Default 'thresholds'. */
  key?: string;
}

export interface ThresholdSources {
  /** The kind of scenario; only its catalogue metrics are measured. Default 'bgp'. */
  domain?: MetricDomain;
  defaults: ThresholdExpressions;
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

/** 'off' (any case) as a threshold expression removes the threshold. */
export function isThresholdOff(expr: unknown): boolean {
  return typeof expr === 'string' && /^\s*off\s*$/i.test(expr);
}

const ENV_VAR_METRICS: ReadonlyMap<string, MetricName> = new Map(
  metricNames().map((m) => [thresholdEnvVar(m), m]),
);

function knownMetrics(domain: MetricDomain): string {
  return `known ${domain} metrics: ${metricNames(domain).join(', ')}`;
}

/** Why `name` cannot have a threshold in a set of `domain`, or undefined when it can. */
function unknownMetricProblem(name: string, domain: MetricDomain): string | undefined {
  if (!isMetricName(name)) return `${JSON.stringify(name)} is no metric (${knownMetrics(domain)})`;
  const other = METRICS[name].domain;
  if (other !== domain) {
    return `${name} is a ${other} metric, never measured by a ${domain} scenario (${knownMetrics(domain)})`;
  }
  return undefined;
}

const EXAMPLE_LIMIT: Record<BaseUnit, string> = {
  s: '30s',
  '%': '80%',
  count: '1000',
  '/s': '1000/s',
  'bit/s': '9000Mbit/s',
  B: '2GiB',
};

function parseMetricThreshold(metric: MetricName, expr: string, source: string): Threshold {
  const t = parseThreshold(metric, expr, source);
  const unit = METRICS[metric].unit;
  if (t.unit !== unit) {
    // The measurement would never be comparable: fail now, not after the run.
    throw new ThresholdError(
      source,
      `${metric} is measured in ${unit}: expected a limit in ${unit} like "${t.op} ${EXAMPLE_LIMIT[unit]}", found ${JSON.stringify(expr)}`,
    );
  }
  return t;
}

export class ThresholdSet {
  private constructor(private readonly byMetric: ReadonlyMap<string, Threshold>) {}

  static of(thresholds: Iterable<Threshold>): ThresholdSet {
    return new ThresholdSet(new Map([...thresholds].map((t) => [t.metric, t])));
  }

  static from(sources: ThresholdSources): ThresholdSet {
    const domain = sources.domain ?? 'bgp';
    const map = new Map<string, Threshold>();
    const apply = (metric: string, expr: unknown, source: string) => {
      const problem = unknownMetricProblem(metric, domain);
      if (problem !== undefined) throw new ThresholdError(source, problem);
      const name = metric as MetricName;
      if (isThresholdOff(expr)) map.delete(name);
      else map.set(name, parseMetricThreshold(name, expr as string, source));
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

    for (const [name, expr] of Object.entries(sources.env ?? {})) {
      if (!name.startsWith(THRESHOLD_ENV_PREFIX) || expr === undefined) continue;
      const metric = ENV_VAR_METRICS.get(name);
      if (metric === undefined) {
        throw new ThresholdError(
          `env ${name}`,
          `names no metric: expected ${THRESHOLD_ENV_PREFIX}<METRIC> for a catalogue metric ` +
            `(${knownMetrics('bgp')}; ${knownMetrics('throughput')})`,
        );
      }
      if (METRICS[metric].domain !== domain) continue;
      apply(metric, expr, `env ${name}`);
    }
    return new ThresholdSet(map);
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

  with(metric: MetricName, expr: string, source = 'code'): ThresholdSet {
    const map = new Map(this.byMetric);
    map.set(metric, parseMetricThreshold(metric, expr, source));
    return new ThresholdSet(map);
  }

  checkAll(measurements: Record<string, Measured>): ThresholdReport {
    return checkAll(this.list(), measurements);
  }
}

export function checkAll(
  thresholds: Iterable<Threshold>,
  measurements: Record<string, Measured>,
  /** The history's baseline of a metric, for relative thresholds ('< baseline + 10%'). */
  baselineOf: (metric: string) => ThresholdBaseline | undefined = () => undefined,
): ThresholdReport {
  const results = [...thresholds].map((t) =>
    evaluateThreshold(t, measurements[t.metric], t.relative ? baselineOf(t.metric) : undefined),
  );
  const failures = results.filter((r) => !r.pass);
  const message =
    failures.length === 0
      ? `all ${results.length} thresholds met`
      : `${failures.length} of ${results.length} thresholds failed:\n` +
        failures.map((f) => `  - ${f.message} [${f.source}]`).join('\n');
  return { pass: failures.length === 0, results, failures, message };
}
