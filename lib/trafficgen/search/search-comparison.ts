/**
 * Runs the binary search (once for NDR, once for PDR) and the multi-goal
 * search (both goals in one run) against the same kind of DUT and scores
 * them: trials, total trial time, and whether each result brackets the true
 * throughput within the search's own precision. Shared by the benchmark and
 * the tests that hold the multi-goal search to its promise.
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
  relativeWidth: number;
}

export interface SearchRun {
  search: 'binary NDR' | 'binary NDR + binary PDR' | 'multi-goal NDR+PDR';
  trials: number;
  trialTimeS: number;
  ndr: number | null;
  pdr: number | null;
  /** Widest absolute bracket the search reported (Mpps). */
  precisionMpps: number;
  withinPrecision: boolean;
}

export interface SearchComparison {
  model: string;
  trueNdr: RateBand;
  truePdr: RateBand;
  runs: SearchRun[];
}

/** True when [found, found + precision] overlaps the true band (slack for float noise). */
function brackets(found: number | null, precision: number, truth: RateBand): boolean {
  if (found === null) return false;
  const eps = 1e-9 * truth.high;
  return found <= truth.high + eps && found + precision >= truth.low - eps;
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

export async function compareSearches(s: ComparisonSetup): Promise<SearchComparison> {
  // Binary granularity is set so its final bracket (2 x granularity) is no finer than the multi-goal width at the max rate.
  const granularity = (s.relativeWidth * s.maxRateMpps) / 2;
  const binary = async (lossPct: number) => {
    const t = timed(s.makeTrial());
    const r = await rfc2544BinarySearch(t.fn, {
      startRateMpps: s.maxRateMpps,
      granularityMpps: granularity,
      acceptableLossPct: lossPct,
      searchDurationS: s.finalDurationS,
      validationDurationS: s.finalDurationS,
    });
    return { r, trials: t.count(), time: t.totalS() };
  };
  const bn = await binary(NDR.lossPct);
  const bp = await binary(PDR.lossPct);
  const mt = timed(s.makeTrial());
  const m = await multiGoalSearch(mt.fn, {
    maxRateMpps: s.maxRateMpps,
    finalDurationS: s.finalDurationS,
    relativeWidth: s.relativeWidth,
    goals: [NDR, PDR],
  });
  const [mn, mp] = m.goals;
  const widthOf = (g: typeof mn) =>
    g && g.lowerMpps !== null && g.upperMpps !== null ? g.upperMpps - g.lowerMpps : 0;
  const multiPrecision = Math.max(widthOf(mn), widthOf(mp));
  return {
    model: s.name,
    trueNdr: s.trueNdr,
    truePdr: s.truePdr,
    runs: [
      {
        search: 'binary NDR',
        trials: bn.trials,
        trialTimeS: bn.time,
        ndr: bn.r.throughputMpps,
        pdr: null,
        precisionMpps: bn.r.precisionMpps,
        withinPrecision: brackets(bn.r.throughputMpps, bn.r.precisionMpps, s.trueNdr),
      },
      {
        search: 'binary NDR + binary PDR',
        trials: bn.trials + bp.trials,
        trialTimeS: bn.time + bp.time,
        ndr: bn.r.throughputMpps,
        pdr: bp.r.throughputMpps,
        precisionMpps: Math.max(bn.r.precisionMpps, bp.r.precisionMpps),
        withinPrecision:
          brackets(bn.r.throughputMpps, bn.r.precisionMpps, s.trueNdr) &&
          brackets(bp.r.throughputMpps, bp.r.precisionMpps, s.truePdr),
      },
      {
        search: 'multi-goal NDR+PDR',
        trials: mt.count(),
        trialTimeS: mt.totalS(),
        ndr: mn?.lowerMpps ?? null,
        pdr: mp?.lowerMpps ?? null,
        precisionMpps: multiPrecision,
        withinPrecision:
          m.complete &&
          brackets(mn?.lowerMpps ?? null, widthOf(mn), s.trueNdr) &&
          brackets(mp?.lowerMpps ?? null, widthOf(mp), s.truePdr),
      },
    ],
  };
}
