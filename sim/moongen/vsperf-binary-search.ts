/**
 * The RFC 2544 throughput search of MoonGen's examples/opnfv-vsperf.lua
 * (function master), step for step:
 * - it starts at the start rate, with prevRate 0, prevPassRate 0 and
 *   prevFailRate = the start rate;
 * - after a pass it tries halfway up to prevFailRate, unless that step is
 *   within the granularity: then the next trial, at the same rate, is the
 *   final validation, and its pass ends the search;
 * - after a fail it tries halfway down to prevPassRate (a failed final
 *   validation steps down by exactly the granularity), and a step smaller
 *   than the granularity makes the next trial a final validation;
 * - a fail at or below the granularity aborts;
 * - the loop runs while the rate moved by at least the granularity or a
 *   final validation is due, so it can also end without any result;
 * - a stop (DPDK no longer running) ends it after the current trial.
 */

export interface VsperfSearchSettings {
  startRateMpps: number;
  /** testParams.rate_granularity, in Mpps. */
  granularityMpps: number;
}

/** One trial at `rateMpps`; resolves true when every direction stayed within the acceptable loss. */
export type VsperfTrial = (rateMpps: number, finalValidation: boolean) => Promise<boolean>;

export type VsperfSearchEnd =
  | { kind: 'validated'; rateMpps: number }
  /** The script's "Could not even pass with rate <= the rate granularity". */
  | { kind: 'below-granularity' }
  /** The loop condition ended the search before a final validation passed. */
  | { kind: 'no-validation' }
  | { kind: 'stopped' };

export async function vsperfBinarySearch(
  trial: VsperfTrial,
  settings: VsperfSearchSettings,
  running: () => boolean = () => true,
): Promise<VsperfSearchEnd> {
  const g = settings.granularityMpps;
  let rate = settings.startRateMpps;
  let prevRate = 0;
  let prevPassRate = 0;
  let prevFailRate = rate;
  let finalValidation = false;
  while (Math.abs(rate - prevRate) >= g || finalValidation) {
    const passed = await trial(rate, finalValidation);
    prevRate = rate;
    if (passed) {
      if (finalValidation) return { kind: 'validated', rateMpps: rate };
      const next = (prevFailRate + rate) / 2;
      if (Math.abs(next - rate) <= g) {
        finalValidation = true;
      } else {
        prevPassRate = rate;
        rate = next;
      }
    } else {
      if (rate <= g) return { kind: 'below-granularity' };
      let next: number;
      if (finalValidation) {
        finalValidation = false;
        next = rate - g;
      } else {
        next = (prevPassRate + rate) / 2;
      }
      if (Math.abs(next - rate) < g) finalValidation = true;
      prevFailRate = rate;
      rate = next;
    }
    if (!running()) return { kind: 'stopped' };
  }
  return { kind: 'no-validation' };
}
