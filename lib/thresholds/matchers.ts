/**
 * Vitest matchers for thresholds ('netscale/matchers'). fixtures/setup.ts registers them for the scenario
 * projects; elsewhere call `registerThresholdMatchers()` (or `expect.extend(thresholdMatchers)`).
 *
 * API:
 * - `expect(measured).toMeetThreshold(threshold | expr)`: measured is a number (base units) or a
 *   Measurement {value, unit?, resolution?}; expr is text like '< 30s' (metric shown as 'value').
 * - `expect(measurements).toMeetThresholds(set)`: measurements is { metric: number | Measurement };
 *   set is a ThresholdSet, Threshold[] or { metric: expr }. Every threshold is checked and the failure
 *   message lists all failures; a metric without a measurement fails. A plain { metric: expr } map may
 *   name any key of the measurements (e.g. vsperf's result keys), not only catalogue metrics.
 * Re-exports the threshold API so one import gives everything.
 */
import { expect } from 'vitest';
import { type Measured, type Threshold, evaluateThreshold, parseThreshold } from './threshold.ts';
import { ThresholdSet, checkAll, isThresholdOff } from './threshold-set.ts';

export * from './quantity.ts';
export * from './metric-catalogue.ts';
export * from './threshold.ts';
export * from './threshold-set.ts';
export * from './default-thresholds.ts';

export type ThresholdsLike = ThresholdSet | readonly Threshold[] | Record<string, string>;

function toThresholdList(set: ThresholdsLike): Threshold[] {
  if (set instanceof ThresholdSet) return set.list();
  if (Array.isArray(set)) return [...(set as readonly Threshold[])];
  // Source 'default', as when these maps went through ThresholdSet.from: failure messages stay the same.
  return Object.entries(set as Record<string, string>)
    .filter(([, expr]) => !isThresholdOff(expr))
    .map(([metric, expr]) => parseThreshold(metric, expr, 'default'));
}

export const thresholdMatchers = {
  toMeetThreshold(received: unknown, threshold: Threshold | string) {
    const t =
      typeof threshold === 'string' ? parseThreshold('value', threshold, 'toMeetThreshold') : threshold;
    const r = evaluateThreshold(t, received as Measured);
    return {
      pass: r.pass,
      message: () => (r.pass ? `expected threshold to fail, but ${r.message}` : r.message),
      actual: r.measured,
      expected: `${t.op} ${t.value}`,
    };
  },

  toMeetThresholds(received: unknown, set: ThresholdsLike) {
    if (typeof received !== 'object' || received === null) {
      return {
        pass: false,
        message: () => `expected a map of metric: measurement, found ${JSON.stringify(received)}`,
      };
    }
    const report = checkAll(toThresholdList(set), received as Record<string, Measured>);
    return {
      pass: report.pass,
      message: () =>
        report.pass ? `expected some threshold to fail, but ${report.message}` : report.message,
    };
  },
};

export function registerThresholdMatchers(): void {
  expect.extend(thresholdMatchers);
}

interface ThresholdMatchers<R = unknown> {
  /** Passes when the measured value meets the threshold; the failure names metric, value and limit. */
  toMeetThreshold(threshold: Threshold | string): R;
  /** Passes when every threshold is met; the failure lists every failed threshold. */
  toMeetThresholds(set: ThresholdsLike): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends ThresholdMatchers<T> {}
}
