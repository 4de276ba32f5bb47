/**
 * RFC 2544 throughput searched trial by trial from here (not by a generator script's own search): the
 * binary search, or the multi-goal search (NDR and PDR; the asked loss and PDR when lossPct > 0); and the
 * result of the last full-length trial that passed at the rate found, as the driver measured it.
 */
import { rfc2544BinarySearch } from './search/binary-search.ts';
import { multiGoalSearch, NDR, PDR, type GoalResult } from './search/multi-goal-search.ts';
import type { SearchTrial, TrialCounts, TrialListener } from './search/trial.ts';
import type { TrafficResult } from './traffic-generator.ts';

/** One trial as the driver runs it: its result, and the counts of the direction that judges it. */
export type ResultTrialFn = (
  rateMpps: number,
  durationS: number,
  label: string,
) => Promise<{ result: TrafficResult; worst: TrialCounts }>;

export interface ThroughputByTrialsOptions {
  search: 'binary' | 'multi-goal';
  maxRateMpps: number;
  /** Full-length trials, s: every binary-search trial, the multi-goal search's final ones. */
  finalDurationS: number;
  /** Multi-goal: its first, short trials, s. */
  initialDurationS: number;
  lossPct: number;
  /** Binary: stop when the step is within this, Mpps. */
  granularityMpps: number;
  /** Multi-goal: the width goal, relative. */
  relativeWidth: number;
  onTrial?: TrialListener;
}

export interface ThroughputByTrials {
  trials: SearchTrial[];
  /** Multi-goal only: every goal's bracket. */
  goals: GoalResult[] | null;
  throughputMpps: number | null;
  /** The last full-length trial that passed at throughputMpps (null: none). */
  result: TrafficResult | null;
}

export async function throughputByTrials(
  run: ResultTrialFn,
  o: ThroughputByTrialsOptions,
): Promise<ThroughputByTrials> {
  // The searches number their trials in the order they ran them, from 1.
  const byTrial = new Map<number, TrafficResult>();
  let n = 0;
  const trial = async (rateMpps: number, durationS: number, label: string) => {
    const t = await run(rateMpps, durationS, label);
    byTrial.set(++n, t.result);
    return t.worst;
  };
  let trials: SearchTrial[];
  let throughputMpps: number | null;
  let goals: GoalResult[] | null = null;
  if (o.search === 'multi-goal') {
    const m = await multiGoalSearch(trial, {
      maxRateMpps: o.maxRateMpps,
      finalDurationS: o.finalDurationS,
      initialDurationS: o.initialDurationS,
      relativeWidth: o.relativeWidth,
      goals: o.lossPct > 0 ? [{ name: `loss <= ${o.lossPct}%`, lossPct: o.lossPct }, PDR] : [NDR, PDR],
      onTrial: o.onTrial,
    });
    trials = m.trials;
    goals = m.goals;
    throughputMpps = m.goals[0]?.lowerMpps ?? null;
  } else {
    const b = await rfc2544BinarySearch(trial, {
      startRateMpps: o.maxRateMpps,
      granularityMpps: o.granularityMpps,
      acceptableLossPct: o.lossPct,
      searchDurationS: o.finalDurationS,
      validationDurationS: o.finalDurationS,
      onTrial: o.onTrial,
    });
    trials = b.trials;
    throughputMpps = b.throughputMpps;
  }
  let result: TrafficResult | null = null;
  if (throughputMpps !== null) {
    const at = [...trials]
      .reverse()
      .find((t) => t.rateMpps === throughputMpps && t.durationS === o.finalDurationS && t.passed);
    result = at ? (byTrial.get(at.index) ?? null) : null;
  }
  return { trials, goals, throughputMpps, result };
}
