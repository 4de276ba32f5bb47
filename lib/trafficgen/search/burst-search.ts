/**
 * RFC 2544 back-to-back's search over burst lengths at one rate: the full burst; if it lost frames,
 * shorter ones (a quarter each time until one passes, then bisection on a log scale until the longest
 * passing and shortest failing bursts are within 10 %; at most 16 bursts after the full one).
 */

export interface Burst<R> {
  passed: boolean;
  result: R;
}

/** Runs one burst of `durationS`; lower/upper are the passing and failing lengths known so far. */
export type BurstFn<R> = (
  durationS: number,
  lowerS: number | null,
  upperS: number | null,
) => Promise<Burst<R>>;

export interface BurstSearchResult<R> {
  full: R;
  /** The longest burst that passed, or null when none did. */
  best: { result: R; durationS: number } | null;
}

const MAX_SHORTER_BURSTS = 16;
const CLOSE_RATIO = 1.1;

export async function longestPassingBurst<R>(
  fullS: number,
  burst: BurstFn<R>,
): Promise<BurstSearchResult<R>> {
  const full = await burst(fullS, null, null);
  if (full.passed) return { full: full.result, best: { result: full.result, durationS: fullS } };
  let best: { result: R; durationS: number } | null = null;
  let good = 0;
  let bad = fullS;
  for (let k = 0; k < MAX_SHORTER_BURSTS && (good === 0 || bad / good > CLOSE_RATIO); k++) {
    const d = good > 0 ? Math.sqrt(good * bad) : bad / 4;
    const b = await burst(d, good || null, bad);
    if (b.passed) {
      good = d;
      best = { result: b.result, durationS: d };
    } else bad = d;
  }
  return { full: full.result, best };
}
