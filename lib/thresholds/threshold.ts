/**
 * One threshold: a metric, a comparison and a limit, parsed from text like `< 30s` or `<= 80%`.
 *
 * API:
 * - `parseThreshold(metric, expr, source?)` -> Threshold; throws ThresholdError naming the source
 *   (default 'threshold <metric>') when the expression does not parse.
 *   Operators: <, <=, >, >=, ==. Limits: see quantity.ts (`30s`, `500ms`, `80%`, `0.001%`, `1000/s`, `2GiB`, `1000`).
 * - `evaluateThreshold(t, measured)` -> ThresholdResult {pass, metric, measured, limit, message, ...}.
 *   `measured` is a number in the threshold's base unit or a `Measurement` {value, unit?, resolution?};
 *   undefined/null/NaN is a failure ("no measurement"). A failed message reads
 *   `prefix_add_time: measured 41.2 s (±0.05 s) is not < 30 s`.
 * - `Measurement`: a measured value in base units (s, %, count, /s, B) with its resolution when known.
 * - Relative to the run history's baseline: `< baseline + 10%`, `> baseline - 5%`, `<= baseline`.
 *   `evaluateThreshold(t, measured, baseline?)` compares with baseline x (1 + pct/100); without a baseline
 *   (no history yet) it passes with `note` set: a note, never a failure. A failure reads
 *   `prefix_add_time: 9.8 s (±0.05 s) is 21 % above baseline 8.1 s (median of 7 runs, noise ±3 %)`.
 */
import { isMetricName, METRICS } from './metric-catalogue.ts';
import { type BaseUnit, KNOWN_UNITS, formatQuantity, parseQuantity } from './quantity.ts';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  metric: string;
  op: ThresholdOp;
  /** Limit in base units (seconds, percent, count, per second, bytes). */
  value: number;
  unit: BaseUnit;
  /** The unit as written ('ms' for `< 500ms`), used to show values in messages. */
  display: string;
  /** The expression as written. */
  expr: string;
  /** Where it came from: 'default', 'scenario file <path>, key <key>', 'env NETSCALE_THRESHOLD_<METRIC>'. */
  source: string;
  /** Relative to the history's baseline: the limit is baseline x (1 + pct / 100); `value` is unused. */
  relative?: { pct: number };
}

/** The baseline a relative threshold is measured against (lib/history). */
export interface ThresholdBaseline {
  value: number;
  /** How it was formed, e.g. 'median of 7 runs' or 'run 20261204-0300'. */
  what: string;
  /** Noise band, in the metric's unit. */
  noise: number;
}

export interface Measurement {
  value: number;
  /** Base unit of value; when given it must match the threshold's. */
  unit?: BaseUnit;
  /** Resolution (uncertainty) of value in the same unit. */
  resolution?: number;
}

export type Measured = number | Measurement | undefined | null;

export interface ThresholdResult {
  pass: boolean;
  metric: string;
  /** Measured value in base units; undefined when nothing was measured. */
  measured: number | undefined;
  resolution: number | undefined;
  limit: number;
  op: ThresholdOp;
  unit: BaseUnit;
  source: string;
  message: string;
  /** Set when the threshold could not be judged and that is not a failure (no baseline yet). */
  note?: string;
}

export class ThresholdError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ThresholdError';
  }
}

const EXPR = /^\s*(<=|>=|==|<|>)\s*(.+?)\s*$/;
const RELATIVE = /^baseline(?:\s*([+-])\s*(\d+(?:\.\d+)?)\s*%)?$/;

export function parseThreshold(metric: string, expr: string, source = `threshold ${metric}`): Threshold {
  if (typeof expr !== 'string') {
    throw new ThresholdError(
      source,
      `expected a threshold expression string like "< 30s", found ${typeof expr} ${JSON.stringify(expr)}`,
    );
  }
  const m = EXPR.exec(expr);
  if (!m) {
    throw new ThresholdError(
      source,
      `expected "<op> <limit>" with op one of <, <=, >, >=, == (e.g. "< 30s", "<= 80%"), found ${JSON.stringify(expr)}`,
    );
  }
  const rel = RELATIVE.exec(m[2]!);
  if (rel) {
    const pct = rel[1] ? Number(rel[2]) * (rel[1] === '-' ? -1 : 1) : 0;
    const unit: BaseUnit = isMetricName(metric) ? METRICS[metric].unit : 'count';
    return {
      metric,
      op: m[1] as ThresholdOp,
      value: NaN,
      unit,
      display: '',
      expr,
      source,
      relative: { pct },
    };
  }
  const q = parseQuantity(m[2]!);
  if (!q) {
    throw new ThresholdError(
      source,
      `expected a number with a unit (${KNOWN_UNITS}) or "baseline [+|- N%]" after "${m[1]}", found ${JSON.stringify(m[2])}`,
    );
  }
  return { metric, op: m[1] as ThresholdOp, value: q.value, unit: q.unit, display: q.display, expr, source };
}

function compare(op: ThresholdOp, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

function toMeasurement(measured: Measured): Measurement | undefined {
  if (measured === undefined || measured === null) return undefined;
  const m = typeof measured === 'number' ? { value: measured } : measured;
  return Number.isFinite(m.value) ? m : undefined;
}

export function formatLimit(t: Threshold): string {
  if (t.relative) return t.expr.trim();
  return `${t.op} ${formatQuantity(t.value, t.unit, { display: t.display })}`;
}

/** A relative threshold against its baseline: the limit, and how far the value is from the baseline. */
function evaluateRelative(t: Threshold, m: Measurement, b: ThresholdBaseline): ThresholdResult {
  const limitValue = b.value * (1 + t.relative!.pct / 100);
  const pass = compare(t.op, m.value, limitValue);
  const change = b.value === 0 ? 0 : ((m.value - b.value) / b.value) * 100;
  const q = (v: number, resolution?: number) => formatQuantity(v, t.unit, { resolution });
  const noisePct = b.value === 0 ? 0 : (b.noise / Math.abs(b.value)) * 100;
  const where =
    Math.abs(change) < 0.5 ? 'at' : `${Math.abs(change).toFixed(0)} % ${change > 0 ? 'above' : 'below'}`;
  return {
    metric: t.metric,
    limit: limitValue,
    op: t.op,
    unit: t.unit,
    source: t.source,
    pass,
    measured: m.value,
    resolution: m.resolution,
    message:
      `${t.metric}: ${q(m.value, m.resolution)} is ${where} baseline ${q(b.value)} ` +
      `(${b.what}, noise ±${noisePct.toFixed(0)} %)${pass ? `, within ${t.expr.trim()}` : ''}`,
  };
}

export function evaluateThreshold(
  t: Threshold,
  measured: Measured,
  baseline?: ThresholdBaseline,
): ThresholdResult {
  const m = toMeasurement(measured);
  if (t.relative && m && (m.unit === undefined || m.unit === t.unit)) {
    if (baseline) return evaluateRelative(t, m, baseline);
    return {
      metric: t.metric,
      limit: NaN,
      op: t.op,
      unit: t.unit,
      source: t.source,
      pass: true,
      measured: m.value,
      resolution: m.resolution,
      note: 'no baseline yet',
      message: `${t.metric}: no baseline yet for ${t.expr.trim()} (a note, not a failure)`,
    };
  }
  const base = { metric: t.metric, limit: t.value, op: t.op, unit: t.unit, source: t.source };
  const limit = formatLimit(t);
  if (!m) {
    const found = measured === undefined || measured === null ? 'nothing' : 'a value that is not a number';
    return {
      ...base,
      pass: false,
      measured: undefined,
      resolution: undefined,
      message: `${t.metric}: no measurement (found ${found}), limit ${limit}`,
    };
  }
  const shown = formatQuantity(m.value, t.unit, { display: t.display, resolution: m.resolution });
  if (m.unit !== undefined && m.unit !== t.unit) {
    return {
      ...base,
      pass: false,
      measured: m.value,
      resolution: m.resolution,
      message: `${t.metric}: measured ${formatQuantity(m.value, m.unit, { resolution: m.resolution })} cannot be compared with limit ${limit} (unit ${m.unit} vs ${t.unit})`,
    };
  }
  const pass = compare(t.op, m.value, t.value);
  return {
    ...base,
    pass,
    measured: m.value,
    resolution: m.resolution,
    message: `${t.metric}: measured ${shown} is ${pass ? '' : 'not '}${limit}`,
  };
}
