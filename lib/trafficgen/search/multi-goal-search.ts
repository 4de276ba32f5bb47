/**
 * A multi-goal throughput search after FD.io CSIT's MLRsearch: it finds
 * several loss goals at once (NDR = no loss, PDR = loss <= 0.5 %), runs short
 * trials first and full-length trials only near the answer, and stops at a
 * relative width goal.
 *
 * Phases use durations growing geometrically from initialDurationS to
 * finalDurationS; each phase halves the width goal of the one before, so the
 * last phase reaches relativeWidth with full-length trials. Within a phase a
 * goal is bracketed by a lower bound (passed at >= the phase duration) and an
 * upper bound (failed at >= the phase duration); bounds missing are found by
 * an external search whose step doubles each time, starting from the
 * previous phase's bound or from the delivered (Rx) rate of a failed trial,
 * which is close to the DUT's capacity. Bisection works on a log scale.
 */
import { lossPct, type SearchTrial, type TrialFn, type TrialListener } from './trial.ts';

export interface LossGoal {
  name: string;
  /** A trial passes this goal when its loss % is <= this. */
  lossPct: number;
}

export const NDR: LossGoal = { name: 'NDR', lossPct: 0 };
export const PDR: LossGoal = { name: 'PDR', lossPct: 0.5 };

export interface MultiGoalSearchOptions {
  maxRateMpps: number;
  minRateMpps?: number;
  goals?: LossGoal[];
  initialDurationS?: number;
  finalDurationS: number;
  /** Number of trial durations (>= 1); 1 = full-length trials only. */
  phases?: number;
  /** Goal for (upper - lower) / upper at the final duration. */
  relativeWidth: number;
  maxTrials?: number;
  onTrial?: TrialListener;
}

export interface GoalResult {
  goal: LossGoal;
  /** Highest rate that met the goal at the final duration (null: not even the minimum rate did). */
  lowerMpps: number | null;
  /** Lowest rate that missed the goal at the final duration (null: the maximum rate met it). */
  upperMpps: number | null;
  relativeWidth: number | null;
}

export interface MultiGoalSearchResult {
  goals: GoalResult[];
  trials: SearchTrial[];
  /** False when maxTrials ran out before every goal reached its width. */
  complete: boolean;
}

interface Measurement {
  rate: number;
  duration: number;
  lossPct: number;
  rxRate: number;
}

export async function multiGoalSearch(
  trial: TrialFn,
  o: MultiGoalSearchOptions,
): Promise<MultiGoalSearchResult> {
  const goals = o.goals ?? [NDR, PDR];
  const max = o.maxRateMpps;
  const min = o.minRateMpps ?? max / 1000;
  const phases = Math.max(1, Math.floor(o.phases ?? 2));
  const finalD = o.finalDurationS;
  const firstD = Math.min(o.initialDurationS ?? 1, finalD);
  const maxTrials = o.maxTrials ?? 200;
  if (!(max > min && min > 0) || !(o.relativeWidth > 0 && o.relativeWidth < 1)) {
    throw new Error(
      `multi-goal search: expected 0 < minRateMpps < maxRateMpps and 0 < relativeWidth < 1, found ${min}, ${max}, ${o.relativeWidth}`,
    );
  }
  const durations = Array.from({ length: phases }, (_, i) =>
    phases === 1 ? finalD : firstD * Math.pow(finalD / firstD, i / (phases - 1)),
  );
  const measurements: Measurement[] = [];
  const trials: SearchTrial[] = [];

  const bounds = (goal: LossGoal, d: number) => {
    const valid = measurements.filter((m) => m.duration >= d - 1e-9);
    let upper: Measurement | null = null;
    for (const m of valid) if (m.lossPct > goal.lossPct && (!upper || m.rate < upper.rate)) upper = m;
    let lower: Measurement | null = null;
    for (const m of valid) {
      if (m.lossPct <= goal.lossPct && (!upper || m.rate < upper.rate) && (!lower || m.rate > lower.rate))
        lower = m;
    }
    return { lower, upper };
  };

  const measure = async (rate: number, d: number, label: string, goal: LossGoal) => {
    const r = Math.min(max, Math.max(min, rate));
    const c = await trial(r, d, label);
    const m: Measurement = { rate: r, duration: d, lossPct: lossPct(c), rxRate: c.rx / d / 1e6 };
    measurements.push(m);
    const b = bounds(goal, d);
    const record: SearchTrial = {
      index: trials.length + 1,
      rateMpps: r,
      durationS: d,
      tx: c.tx,
      rx: c.rx,
      lossPct: m.lossPct,
      passed: m.lossPct <= goal.lossPct,
      label,
      lowerMpps: b.lower?.rate ?? null,
      upperMpps: b.upper?.rate ?? null,
    };
    trials.push(record);
    o.onTrial?.(record);
    return m;
  };

  let complete = true;
  const previous = new Map<string, { lower: number | null; upper: number | null }>();
  for (let p = 0; p < phases && complete; p++) {
    const d = durations[p]!;
    const width = o.relativeWidth * Math.pow(2, phases - 1 - p);
    const W = -Math.log(1 - Math.min(width, 0.5));
    for (const goal of goals) {
      const label = `phase ${p + 1}/${phases} ${goal.name}`;
      const prev = previous.get(goal.name);
      let downSteps = 0;
      let upSteps = 0;
      let triedPrevLower = false;
      for (;;) {
        const { lower, upper } = bounds(goal, d);
        if (lower && lower.rate >= max) break;
        if (upper && upper.rate <= min) break;
        if (lower && upper && Math.log(upper.rate / lower.rate) <= W + 1e-12) break;
        if (trials.length >= maxTrials) {
          complete = false;
          break;
        }
        let next: number;
        if (!lower && !upper) {
          next = prev?.lower ?? (prev?.upper ? prev.upper * Math.exp(-W) : max);
        } else if (!lower) {
          // External search down; the delivered rate of the failed trial is a good guess of the capacity,
          // and the previous phase's lower bound a good floor for the first step.
          const u = upper!;
          next = Math.min(
            u.rate * Math.exp(-W * Math.pow(2, downSteps++)),
            u.rxRate > 0 ? u.rxRate : Infinity,
          );
          if (prev?.lower && prev.lower < u.rate && downSteps === 1) next = Math.max(next, prev.lower);
        } else if (!upper && prev?.lower && prev.lower > lower.rate && !triedPrevLower) {
          // Another goal left a lower bound here; the previous phase's own lower bound is likely closer.
          triedPrevLower = true;
          next = prev.lower;
        } else if (!upper) {
          // External search up, never past where the previous phase already saw a failure.
          next = Math.min(max, lower.rate * Math.exp(W * Math.pow(2, upSteps++)));
          if (prev?.upper && prev.upper > lower.rate) {
            // Within two widths, one width up ends the search whichever way the trial goes.
            next = Math.min(
              next,
              prev.upper <= lower.rate * Math.exp(2 * W) ? lower.rate * Math.exp(W) : prev.upper,
            );
          }
        } else {
          const lw = Math.log(upper.rate / lower.rate);
          const oneWidthUp = lower.rate * Math.exp(W);
          // Far apart: aim at the delivered rate of the upper bound, kept within (one width up, geometric middle).
          next =
            lw <= 2 * W
              ? oneWidthUp
              : Math.min(Math.sqrt(lower.rate * upper.rate), Math.max(oneWidthUp, upper.rxRate));
        }
        await measure(next, d, label, goal);
      }
      const b = bounds(goal, d);
      previous.set(goal.name, { lower: b.lower?.rate ?? null, upper: b.upper?.rate ?? null });
    }
  }

  const results: GoalResult[] = goals.map((goal) => {
    const { lower, upper } = bounds(goal, durations[phases - 1]!);
    return {
      goal,
      lowerMpps: lower?.rate ?? null,
      upperMpps: upper?.rate ?? null,
      relativeWidth: lower && upper ? (upper.rate - lower.rate) / upper.rate : null,
    };
  });
  return { goals: results, trials, complete };
}
