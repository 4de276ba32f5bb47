/** Config API calls in parallel, a few at a time. */
import pLimit from 'p-limit';

/** Calls in flight at once: enough to be quick, few enough not to load the API server. */
export const CONFIG_API_CONCURRENCY = 8;

/** Runs `fn` over `items` with at most CONFIG_API_CONCURRENCY calls at once; rejects with the first error. */
export async function eachLimited<T>(
  items: readonly T[],
  fn: (t: T, i: number) => Promise<void>,
): Promise<void> {
  const limit = pLimit(CONFIG_API_CONCURRENCY);
  await Promise.all(items.map((t, i) => limit(() => fn(t, i))));
}
