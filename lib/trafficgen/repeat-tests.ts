/** vsperf's `tests`: a whole test (search or burst series) repeated, one run after another. */

/** Runs `once` `tests` times (a missing, fractional or non-positive count: at least once); the runs in order. */
export async function repeatTests<R>(tests: number | undefined, once: () => Promise<R>): Promise<R[]> {
  const count = Math.max(1, Math.floor(tests ?? 1));
  const runs: R[] = [];
  for (let i = 0; i < count; i++) runs.push(await once());
  return runs;
}
