/**
 * The emulator's search against opnfv-vsperf.lua's: trial sequences are
 * worked out by hand from the script's loop with binary-exact rates (16
 * Mpps start, 0.25 Mpps granularity), so they are the script's, not the
 * code's.
 */
import { describe, expect, it } from 'vitest';
import { vsperfBinarySearch, type VsperfTrial } from '../../../sim/moongen/vsperf-binary-search.ts';

/** A DUT that forwards without loss up to `kneeMpps` (search) or `validationKneeMpps` (final validation). */
function dut(kneeMpps: number, validationKneeMpps = kneeMpps) {
  const trials: string[] = [];
  const trial: VsperfTrial = async (rate, final) => {
    const passed = rate <= (final ? validationKneeMpps : kneeMpps);
    trials.push(`${final ? 'final ' : ''}${rate} ${passed ? 'pass' : 'fail'}`);
    return passed;
  };
  return { trial, trials };
}

const settings = { startRateMpps: 16, granularityMpps: 0.25 };

describe("opnfv-vsperf.lua's binary search in the emulator", () => {
  it('halves towards the last fail or pass and validates once the step is within the granularity', async () => {
    const d = dut(9.3);
    await expect(vsperfBinarySearch(d.trial, settings)).resolves.toEqual({
      kind: 'validated',
      rateMpps: 9.25,
    });
    expect(d.trials).toEqual([
      '16 fail',
      '8 pass',
      '12 fail',
      '10 fail',
      '9 pass',
      '9.5 fail',
      // 9.25 is exactly one granularity below 9.5: not yet a validation.
      '9.25 pass',
      'final 9.25 pass',
    ]);
  });

  it('steps down one granularity after a failed final validation and searches on', async () => {
    const d = dut(9.3, 9.1);
    await expect(vsperfBinarySearch(d.trial, settings)).resolves.toEqual({ kind: 'validated', rateMpps: 9 });
    expect(d.trials.slice(6)).toEqual(['9.25 pass', 'final 9.25 fail', '9 pass', 'final 9 pass']);
  });

  it('validates the start rate at once when it passes', async () => {
    const d = dut(20);
    await expect(vsperfBinarySearch(d.trial, settings)).resolves.toEqual({ kind: 'validated', rateMpps: 16 });
    expect(d.trials).toEqual(['16 pass', 'final 16 pass']);
  });

  it('aborts when a rate at or below the granularity fails', async () => {
    const d = dut(0);
    const end = await vsperfBinarySearch(d.trial, { startRateMpps: 1, granularityMpps: 0.25 });
    expect(end).toEqual({ kind: 'below-granularity' });
    expect(d.trials).toEqual(['1 fail', '0.5 fail', '0.25 fail']);
  });

  it('ends after the current trial once the generator stops running', async () => {
    const d = dut(9.3);
    const end = await vsperfBinarySearch(d.trial, settings, () => d.trials.length < 2);
    expect(end).toEqual({ kind: 'stopped' });
    expect(d.trials).toEqual(['16 fail', '8 pass']);
  });

  // Below the start rate: the script never offers more than its start rate.
  it.each([0.3, 1, 4.4, 7.77, 9.3, 12.01, 14.8])(
    'validates a rate at most the knee and less than two granularities below it (knee %f Mpps)',
    async (knee) => {
      const g = 0.1;
      const end = await vsperfBinarySearch(dut(knee).trial, { startRateMpps: 14.88, granularityMpps: g });
      expect(end.kind).toBe('validated');
      const rate = end.kind === 'validated' ? end.rateMpps : NaN;
      expect(rate).toBeLessThanOrEqual(knee);
      expect(knee - rate).toBeLessThan(2 * g);
    },
  );
});
