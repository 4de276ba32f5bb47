/**
 * The RFC 2544 binary search exactly as MoonGen's opnfv-vsperf.lua runs it,
 * so a framework-driven search and the script's own search agree trial by
 * trial:
 * - after a pass: next = (prevFailRate + rate) / 2 (prevFailRate starts at the start rate);
 * - after a fail: next = (prevPassRate + rate) / 2 (prevPassRate starts at 0);
 * - once the step would be within the granularity, the next trial at the
 *   current rate is the final validation; a failing validation steps down by
 *   the granularity;
 * - a fail at a rate <= granularity aborts.
 */
import { lossPct, type SearchTrial, type TrialFn, type TrialListener } from './trial.ts';

export interface BinarySearchOptions {
  startRateMpps: number;
  granularityMpps: number;
  acceptableLossPct: number;
  searchDurationS: number;
  validationDurationS: number;
  /** Safety bound; the script's own loop always ends well before. */
  maxTrials?: number;
  onTrial?: TrialListener;
}

export interface BinarySearchResult {
  /** Rate that passed the final validation, or null when the search found none. */
  throughputMpps: number | null;
  /** Absolute precision: the validated rate is within this of the lowest failing rate. */
  precisionMpps: number;
  trials: SearchTrial[];
  /** Why there is no throughput (null when there is one). */
  failure: string | null;
}

export async function rfc2544BinarySearch(
  trial: TrialFn,
  o: BinarySearchOptions,
): Promise<BinarySearchResult> {
  const g = o.granularityMpps;
  if (!(g > 0) || !(o.startRateMpps > 0)) {
    throw new Error(
      `binary search: expected startRateMpps > 0 and granularityMpps > 0, found ${o.startRateMpps}, ${g}`,
    );
  }
  const maxTrials = o.maxTrials ?? 200;
  const trials: SearchTrial[] = [];
  let rate = o.startRateMpps;
  let prevRate = 0;
  let prevPassRate = 0;
  let prevFailRate = o.startRateMpps;
  let final = false;
  let lowestFail: number | null = null;
  const result = (throughputMpps: number | null, failure: string | null): BinarySearchResult => ({
    throughputMpps,
    precisionMpps: throughputMpps !== null && lowestFail !== null ? lowestFail - throughputMpps : 2 * g,
    trials,
    failure,
  });

  while (Math.abs(rate - prevRate) >= g || final) {
    if (trials.length >= maxTrials) return result(null, `no result after ${maxTrials} trials`);
    const duration = final ? o.validationDurationS : o.searchDurationS;
    const counts = await trial(rate, duration, final ? 'validation' : 'search');
    const loss = lossPct(counts);
    const passed = loss <= o.acceptableLossPct;
    if (!passed) lowestFail = lowestFail === null ? rate : Math.min(lowestFail, rate);
    const record: SearchTrial = {
      index: trials.length + 1,
      rateMpps: rate,
      durationS: duration,
      tx: counts.tx,
      rx: counts.rx,
      lossPct: loss,
      passed,
      label: final ? 'validation' : 'search',
      lowerMpps: passed ? rate : prevPassRate || null,
      upperMpps: passed ? (lowestFail ?? null) : rate,
    };
    trials.push(record);
    o.onTrial?.(record);
    prevRate = rate;
    if (passed) {
      if (final) return result(rate, null);
      const next = (prevFailRate + rate) / 2;
      if (Math.abs(next - rate) <= g) final = true;
      else {
        prevPassRate = rate;
        rate = next;
      }
    } else {
      if (rate <= g) return result(null, `could not even pass with a rate <= the granularity (${g} Mpps)`);
      let next: number;
      if (final) {
        final = false;
        next = rate - g;
      } else next = (prevPassRate + rate) / 2;
      if (Math.abs(next - rate) < g) final = true;
      prevFailRate = rate;
      rate = next;
    }
  }
  // The script's loop can also fall out here (a failed validation whose step-down equals the granularity).
  return result(null, 'the search ended without a validated rate');
}
