/**
 * A multi-goal throughput search after FD.io CSIT's MLRsearch and TRex's
 * ndr_bench: it finds several loss goals at once (NDR = no loss, PDR = loss
 * <= 0.5 %) and stops when every goal is bracketed by full-length trials no
 * wider than the width goal (absolute, relative, or the tighter of both).
 *
 * - The first trial runs at the maximum rate, short (initialDurationS): what
 *   the DUT delivered is an estimate of its capacity, so the full-length
 *   trials start near the answer instead of at half the line rate.
 * - Every trial classifies every goal at once (its loss ratio passes or
 *   fails each one), so a trial aimed at one goal often bounds the others.
 * - The next rate comes from an estimate of where the loss crosses the goal
 *   (interpolation between a pass and a fail, or, seen only from above, the
 *   forwarded rate of the lowest failure and the secant through the two
 *   lowest failures), placed half a width inside so that the next trial on
 *   the other side closes the bracket.
 * - A bound that keeps proving wrong is widened by an external search whose
 *   step doubles; inside a bracket, two results on the same side in a row
 *   fall back to bisection on a log scale, so a bad estimate costs a few
 *   trials, never the search.
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
  /** The first (exploring) trial's duration; default 1 s. */
  initialDurationS?: number;
  finalDurationS: number;
  /** Width goal as (upper - lower) / upper at the final duration. */
  relativeWidth?: number;
  /** Width goal as upper - lower in Mpps at the final duration; with relativeWidth, the tighter one holds. */
  absoluteWidthMpps?: number;
  maxTrials?: number;
  onTrial?: TrialListener;
}

export interface GoalResult {
  goal: LossGoal;
  /** Highest rate that met the goal at the final duration (null: not even the minimum rate did). */
  lowerMpps: number | null;
  /** Lowest rate that missed the goal at the final duration (null: the maximum rate met it). */
  upperMpps: number | null;
  /** upper - lower, Mpps (null without both bounds). */
  widthMpps: number | null;
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
  /** The goal the trial was aimed at. */
  aim: LossGoal;
}

/** Keeps a closing step strictly inside the width goal despite float rounding. */
const INSIDE = 1 - 1e-6;

export async function multiGoalSearch(
  trial: TrialFn,
  o: MultiGoalSearchOptions,
): Promise<MultiGoalSearchResult> {
  const goals = o.goals ?? [NDR, PDR];
  const max = o.maxRateMpps;
  const min = o.minRateMpps ?? max / 1000;
  const finalD = o.finalDurationS;
  const firstD = Math.min(o.initialDurationS ?? 1, finalD);
  const maxTrials = o.maxTrials ?? 200;
  const rel = o.relativeWidth;
  const abs = o.absoluteWidthMpps;
  if (!(max > min && min > 0) || !(finalD > 0 && firstD > 0)) {
    throw new Error(
      `multi-goal search: expected 0 < minRateMpps < maxRateMpps and durations > 0, found ${min}, ${max}, ${firstD}, ${finalD}`,
    );
  }
  if (
    (rel === undefined && abs === undefined) ||
    (rel !== undefined && !(rel > 0 && rel < 1)) ||
    (abs !== undefined && !(abs > 0))
  ) {
    throw new Error(
      `multi-goal search: expected relativeWidth in (0, 1) and/or absoluteWidthMpps > 0, found ${rel}, ${abs}`,
    );
  }
  /** Widest bracket allowed under an upper bound at `upper`. */
  const widthBelow = (upper: number) => Math.min(abs ?? Infinity, rel !== undefined ? rel * upper : Infinity);
  /** The highest rate x whose bracket [lower, x] meets the width goal. */
  const closeAbove = (lower: number) =>
    Math.min(
      abs !== undefined ? lower + abs * INSIDE : Infinity,
      rel !== undefined ? lower / (1 - rel * INSIDE) : Infinity,
    );
  const closeBelow = (upper: number) => upper - widthBelow(upper) * INSIDE;

  const measurements: Measurement[] = [];
  const trials: SearchTrial[] = [];
  const full = (m: Measurement) => m.duration >= finalD - 1e-9;
  const fails = (goal: LossGoal, m: Measurement) => m.lossPct > goal.lossPct;

  const bounds = (goal: LossGoal) => {
    const valid = measurements.filter(full);
    let upper: Measurement | null = null;
    for (const m of valid) if (fails(goal, m) && (!upper || m.rate < upper.rate)) upper = m;
    let lower: Measurement | null = null;
    for (const m of valid) {
      if (!fails(goal, m) && (!upper || m.rate < upper.rate) && (!lower || m.rate > lower.rate)) lower = m;
    }
    return { lower, upper };
  };

  const done = (goal: LossGoal) => {
    const { lower, upper } = bounds(goal);
    if (lower && lower.rate >= max) return true;
    if (upper && upper.rate <= min) return true;
    return !!lower && !!upper && upper.rate - lower.rate <= widthBelow(upper.rate) + 1e-12;
  };

  /**
   * Where the loss crosses the goal, from full-length trials when they have
   * seen it fail, else from the short ones: interpolated between the nearest
   * pass and fail, or extrapolated from below the lowest failure (its
   * forwarded rate, as if the DUT had a hard cliff, and the secant through
   * the two lowest failures; loss curves bend up, so both err high and the
   * lower one is kept).
   */
  const estimate = (goal: LossGoal): number | null => {
    const g = goal.lossPct;
    const longFails = measurements.filter((m) => full(m) && fails(goal, m));
    const set = longFails.length > 0 ? measurements.filter(full) : measurements;
    const failing = set.filter((m) => fails(goal, m)).sort((a, b) => a.rate - b.rate);
    const f1 = failing[0];
    if (!f1) return null;
    const below = set.filter((m) => !fails(goal, m) && m.rate < f1.rate).sort((a, b) => b.rate - a.rate)[0];
    if (below && below.lossPct < g) {
      return below.rate + ((g - below.lossPct) / (f1.lossPct - below.lossPct)) * (f1.rate - below.rate);
    }
    const cliff = (f1.rate * (1 - f1.lossPct / 100)) / (1 - g / 100);
    const f2 = failing.find((m) => m.rate > f1.rate && m.lossPct > f1.lossPct);
    const secant = f2
      ? f1.rate - ((f1.lossPct - g) * (f2.rate - f1.rate)) / (f2.lossPct - f1.lossPct)
      : Infinity;
    return Math.max(min, Math.min(cliff, secant, f1.rate));
  };

  /** How many of the goal's own full-length trials in a row, up to its last, fell on the same side of it. */
  const streak = (goal: LossGoal) => {
    const own = measurements.filter((m) => full(m) && m.aim === goal);
    const last = own.at(-1);
    let n = 0;
    for (let i = own.length - 1; last && i >= 0 && fails(goal, own[i]!) === fails(goal, last); i--) n++;
    return { n, failing: !!last && fails(goal, last) };
  };

  const nextRate = (goal: LossGoal): number => {
    const { lower, upper } = bounds(goal);
    const e = estimate(goal);
    const s = streak(goal);
    if (!lower && !upper) {
      return e === null ? max : e - widthBelow(e) / 2;
    }
    if (upper && !lower) {
      // Half a width under the estimate, so one more trial above closes; one width under the failure closes at
      // once if it passes. Each failure in a row doubles the margin: an external search down.
      const k = s.failing ? s.n : 0;
      if (e === null) return upper.rate - (upper.rate - closeBelow(upper.rate)) * 2 ** k;
      return Math.min(closeBelow(upper.rate), e - (widthBelow(e) / 2) * 2 ** k);
    }
    if (lower && !upper) {
      const k = s.failing ? 0 : s.n;
      const external = lower.rate + (closeAbove(lower.rate) - lower.rate) * 2 ** k;
      return e === null || e <= lower.rate ? external : Math.max(external, e + widthBelow(e) / 2);
    }
    const l = lower!.rate;
    const u = upper!.rate;
    const hi = closeBelow(u);
    const lo = closeAbove(l);
    // Any rate in [u - width, l + width] closes the bracket whichever way the trial goes.
    if (hi <= lo) return (hi + lo) / 2;
    if (e === null || e <= l || e >= u || s.n >= 2) return Math.sqrt(l * u);
    return Math.min(Math.max(e - widthBelow(e) / 2, lo), hi);
  };

  const measure = async (rate: number, d: number, label: string, goal: LossGoal) => {
    const r = Math.min(max, Math.max(min, rate));
    const c = await trial(r, d, label);
    const m: Measurement = { rate: r, duration: d, lossPct: lossPct(c), aim: goal };
    measurements.push(m);
    const b = bounds(goal);
    const record: SearchTrial = {
      index: trials.length + 1,
      rateMpps: r,
      durationS: d,
      tx: c.tx,
      rx: c.rx,
      lossPct: m.lossPct,
      passed: !fails(goal, m),
      label,
      lowerMpps: b.lower?.rate ?? null,
      upperMpps: b.upper?.rate ?? null,
    };
    trials.push(record);
    o.onTrial?.(record);
  };

  // Higher loss goals first: their trials sit above the lower goals' answers and bound those from above.
  const order = [...goals].sort((a, b) => b.lossPct - a.lossPct);
  let complete = true;
  if (order.length > 0 && firstD < finalD) await measure(max, firstD, 'max rate, short', order[0]!);
  for (;;) {
    const goal = order.find((g) => !done(g));
    if (!goal) break;
    if (trials.length >= maxTrials) {
      complete = false;
      break;
    }
    await measure(nextRate(goal), finalD, `${goal.name} search`, goal);
  }

  const results: GoalResult[] = goals.map((goal) => {
    const { lower, upper } = bounds(goal);
    return {
      goal,
      lowerMpps: lower?.rate ?? null,
      upperMpps: upper?.rate ?? null,
      widthMpps: lower && upper ? upper.rate - lower.rate : null,
      relativeWidth: lower && upper ? (upper.rate - lower.rate) / upper.rate : null,
    };
  });
  return { goals: results, trials, complete };
}
