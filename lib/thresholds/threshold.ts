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
 */
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
  const q = parseQuantity(m[2]!);
  if (!q) {
    throw new ThresholdError(
      source,
      `expected a number with a unit (${KNOWN_UNITS}) after "${m[1]}", found ${JSON.stringify(m[2])}`,
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
  return `${t.op} ${formatQuantity(t.value, t.unit, { display: t.display })}`;
}

export function evaluateThreshold(t: Threshold, measured: Measured): ThresholdResult {
  const m = toMeasurement(measured);
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
