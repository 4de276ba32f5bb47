/**
 * Runs the binary search (once for NDR, once for PDR) and the multi-goal
 * search (both goals in one run) against the same kind of DUT at one
 * precision and scores them: trials, total trial time, the final bracket of
 * each, and whether that bracket holds the true throughput. Shared by the
 * benchmark and the tests that hold the multi-goal search to its promise.
 *
 * Equal precision: both searches must end with lowest failing rate - highest
 * passing rate <= precisionMpps. The script's binary search stops once a
 * halving step would be within its granularity, so its final bracket is at
 * most twice the granularity: it runs with granularity = precision / 2. The
 * multi-goal search runs with an absolute width goal = precision.
 */
import { rfc2544BinarySearch } from './binary-search.ts';
import { multiGoalSearch, NDR, PDR } from './multi-goal-search.ts';
import type { TrialFn } from './trial.ts';

export interface RateBand {
  low: number;
  high: number;
}

export interface ComparisonSetup {
  name: string;
  /** A fresh trial function per search run (each starts from the same seed). */
  makeTrial: () => TrialFn;
  trueNdr: RateBand;
  truePdr: RateBand;
  maxRateMpps: number;
  finalDurationS: number;
  /** Widest final bracket (lowest fail - highest pass) either search may end with, Mpps. */
  precisionMpps: number;
}

export type SearchName = 'binary NDR' | 'binary NDR + binary PDR' | 'multi-goal NDR+PDR';

export interface SearchRun {
  search: SearchName;
  trials: number;
  trialTimeS: number;
  ndr: number | null;
  pdr: number | null;
  /** Widest final bracket the search ended with (Mpps; null when a goal has no bracket). */
  bracketMpps: number | null;
  /** The bracket is no wider than the setup's precision. */
  withinPrecision: boolean;
  /** Every goal's bracket [pass, fail] overlaps its true band. */
  foundTruth: boolean;
}

export interface SearchComparison {
  model: string;
  precisionMpps: number;
  binaryGranularityMpps: number;
  trueNdr: RateBand;
  truePdr: RateBand;
  runs: SearchRun[];
}

interface Bracket {
  pass: number | null;
  fail: number | null;
}

/** True when [pass, fail] overlaps the true band (slack for float noise). */
function holds(b: Bracket, truth: RateBand): boolean {
  if (b.pass === null || b.fail === null) return false;
  const eps = 1e-9 * truth.high;
  return b.pass <= truth.high + eps && b.fail >= truth.low - eps;
}

function widest(brackets: Bracket[]): number | null {
  let w = 0;
  for (const b of brackets) {
    if (b.pass === null || b.fail === null) return null;
    w = Math.max(w, b.fail - b.pass);
  }
  return w;
}

function timed(trial: TrialFn): { fn: TrialFn; totalS: () => number; count: () => number } {
  let total = 0;
  let n = 0;
  return {
    fn: async (rate, d, label) => {
      total += d;
      n++;
      return trial(rate, d, label);
    },
    totalS: () => total,
    count: () => n,
  };
}

function run(
  search: SearchName,
  trials: number,
  trialTimeS: number,
  precision: number,
  goals: { found: Bracket; truth: RateBand }[],
  ndr: number | null,
  pdr: number | null,
): SearchRun {
  const bracketMpps = widest(goals.map((g) => g.found));
  return {
    search,
    trials,
    trialTimeS,
    ndr,
    pdr,
    bracketMpps,
    withinPrecision: bracketMpps !== null && bracketMpps <= precision * (1 + 1e-9),
    foundTruth: goals.every((g) => holds(g.found, g.truth)),
  };
}

export async function compareSearches(s: ComparisonSetup): Promise<SearchComparison> {
  if (!(s.precisionMpps > 0))
    throw new Error(`search comparison ${s.name}: expected precisionMpps > 0, found ${s.precisionMpps}`);
  const granularity = s.precisionMpps / 2;
  const binary = async (lossPct: number) => {
    const t = timed(s.makeTrial());
    const r = await rfc2544BinarySearch(t.fn, {
      startRateMpps: s.maxRateMpps,
      granularityMpps: granularity,
      acceptableLossPct: lossPct,
      searchDurationS: s.finalDurationS,
      validationDurationS: s.finalDurationS,
    });
    const failing = r.trials.filter((x) => !x.passed).map((x) => x.rateMpps);
    const bracket: Bracket = {
      pass: r.throughputMpps,
      fail: failing.length > 0 ? Math.min(...failing) : null,
    };
    return { bracket, trials: t.count(), time: t.totalS() };
  };
  const bn = await binary(NDR.lossPct);
  const bp = await binary(PDR.lossPct);
  const mt = timed(s.makeTrial());
  const m = await multiGoalSearch(mt.fn, {
    maxRateMpps: s.maxRateMpps,
    finalDurationS: s.finalDurationS,
    absoluteWidthMpps: s.precisionMpps,
    goals: [NDR, PDR],
  });
  const [mn, mp] = m.goals;
  const multiNdr: Bracket = { pass: mn?.lowerMpps ?? null, fail: mn?.upperMpps ?? null };
  const multiPdr: Bracket = { pass: mp?.lowerMpps ?? null, fail: mp?.upperMpps ?? null };
  const p = s.precisionMpps;
  const ndrGoal = (found: Bracket) => ({ found, truth: s.trueNdr });
  const pdrGoal = (found: Bracket) => ({ found, truth: s.truePdr });
  const multi = run(
    'multi-goal NDR+PDR',
    mt.count(),
    mt.totalS(),
    p,
    [ndrGoal(multiNdr), pdrGoal(multiPdr)],
    multiNdr.pass,
    multiPdr.pass,
  );
  return {
    model: s.name,
    precisionMpps: p,
    binaryGranularityMpps: granularity,
    trueNdr: s.trueNdr,
    truePdr: s.truePdr,
    runs: [
      run('binary NDR', bn.trials, bn.time, p, [ndrGoal(bn.bracket)], bn.bracket.pass, null),
      run(
        'binary NDR + binary PDR',
        bn.trials + bp.trials,
        bn.time + bp.time,
        p,
        [ndrGoal(bn.bracket), pdrGoal(bp.bracket)],
        bn.bracket.pass,
        bp.bracket.pass,
      ),
      { ...multi, foundTruth: multi.foundTruth && m.complete },
    ],
  };
}
