/**
 * What makes two measurements comparable across runs: the same lab, scenario, iteration shape and metric.
 *
 * API:
 * - `HistoryKey` {lab, scenario, shape, metric}.
 * - `iterationShape(params)` -> 'frame_size=64,bidir=true,...' or 'instances=2,agents=10,routes=100,servers=1':
 *   the iteration's params that decide what is measured, as one stable string.
 * - `sameKey(a, b)`, `keyId(key)` (one string per key, for maps), `formatKey(key)` (for messages).
 */

export interface HistoryKey {
  /** The run's environment.lab ('unknown' when the run did not say). */
  lab: string;
  scenario: string;
  shape: string;
  metric: string;
}

/**
 * Params that do not change what one iteration measures: repeat counters, and the list of all frame
 * sizes a throughput scenario sweeps (its iteration's own frame_size is what matters; adding a size to
 * the sweep must not split the history of the others).
 */
const NOT_SHAPE = new Set(['run', 'iteration', 'repeat', 'frame_sizes']);

/**
 * Written first, in this order, so shapes read the way scenarios are described; every other param follows
 * in name order. Sorting (rather than the archive's insertion order) keeps a shape stable when code
 * that builds params changes its order, so the history is not split by a refactoring.
 */
const LEADING = ['frame_size', 'instances', 'agents', 'routes', 'servers'];

function paramText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function iterationShape(params: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(params).filter((name) => !NOT_SHAPE.has(name) && params[name] !== undefined);
  const rank = (name: string) => {
    const i = LEADING.indexOf(name);
    return i === -1 ? LEADING.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => `${name}=${paramText(params[name])}`).join(',');
}

export function sameKey(a: HistoryKey, b: HistoryKey): boolean {
  return a.lab === b.lab && a.scenario === b.scenario && a.shape === b.shape && a.metric === b.metric;
}

export function keyId(key: HistoryKey): string {
  return JSON.stringify([key.lab, key.scenario, key.shape, key.metric]);
}

export function formatKey(key: HistoryKey): string {
  return `${key.metric} of ${key.scenario} (${key.shape || 'no params'}) on lab ${key.lab}`;
}
