/**
 * RFC 2544 throughput over its repeated tests (repeat-tests.ts): the last run's result and extras, the
 * throughput the mean of the runs' (null when any run found none), every run's trials, vsperf keys averaged.
 */
import type { ThroughputResult } from './traffic-generator.ts';
import { averageResults } from './vsperf-results.ts';

/** The combined result of `runs`, in the order they ran (at least one). */
export function throughputOverTests<R extends ThroughputResult>(runs: R[]): R {
  const last = runs[runs.length - 1];
  if (!last) throw new Error('throughputOverTests: expected at least one run, found none');
  const found = runs.map((r) => r.throughputMpps).filter((x): x is number => x !== null);
  return {
    ...last,
    throughputMpps: found.length === runs.length ? found.reduce((a, b) => a + b, 0) / found.length : null,
    trials: runs.flatMap((r) => r.trials),
    vsperf: averageResults(runs.map((r) => r.vsperf)),
    runs: runs.length,
  };
}
