import { describe, expect, it } from 'vitest';
import { rfc2544BinarySearch } from '../../lib/trafficgen/search/binary-search.ts';
import { multiGoalSearch, NDR, PDR } from '../../lib/trafficgen/search/multi-goal-search.ts';
import { compareSearches } from '../../lib/trafficgen/search/search-comparison.ts';
import type { TrialFn } from '../../lib/trafficgen/search/trial.ts';
import { DutModel, type DutModelSpec } from '../../sim/moongen/dut-model.ts';

/** A DUT that loses every frame above `capacity` Mpps and none below. */
const cliff =
  (capacity: number): TrialFn =>
  async (rate, d) => {
    const tx = Math.round(rate * 1e6 * d);
    return { tx, rx: rate <= capacity ? tx : Math.round(capacity * 1e6 * d) };
  };

describe('RFC 2544 binary search (MoonGen script semantics)', () => {
  it('follows the script trial by trial: halves toward the last pass/fail, validates, returns the validated rate', async () => {
    const r = await rfc2544BinarySearch(cliff(6), {
      startRateMpps: 10,
      granularityMpps: 0.5,
      acceptableLossPct: 0,
      searchDurationS: 60,
      validationDurationS: 30,
    });
    // 10 fail -> 5 (=(0+10)/2) pass -> 7.5 (=(10+5)/2) fail -> 6.25 fail -> 5.625 pass -> 5.9375 (step 0.3125 <= 0.5): validation at 5.625
    expect(r.trials.map((t) => [t.rateMpps, t.passed, t.label])).toEqual([
      [10, false, 'search'],
      [5, true, 'search'],
      [7.5, false, 'search'],
      [6.25, false, 'search'],
      [5.625, true, 'search'],
      [5.625, true, 'validation'],
    ]);
    expect(r.trials.at(-1)!.durationS).toBe(30);
    expect(r.throughputMpps).toBe(5.625);
    expect(r.failure).toBeNull();
  });

  it('steps down by the granularity after a failed validation', async () => {
    let n = 0;
    // Passes everything at or below 5 except the first validation, the 5th trial (a noisy DUT).
    const flaky: TrialFn = async (rate, d) => {
      n++;
      const tx = Math.round(rate * 1e6 * d);
      return { tx, rx: rate <= 5 && !(d === 30 && n === 5) ? tx : tx - 1 };
    };
    const r = await rfc2544BinarySearch(flaky, {
      startRateMpps: 8,
      granularityMpps: 1,
      acceptableLossPct: 0,
      searchDurationS: 60,
      validationDurationS: 30,
    });
    expect(r.trials.map((t) => [t.rateMpps, t.label, t.passed])).toEqual([
      [8, 'search', false],
      [4, 'search', true],
      [6, 'search', false],
      [5, 'search', true],
      [5, 'validation', false],
      [4, 'search', true],
      [4, 'validation', true],
    ]);
    expect(r.throughputMpps).toBe(4);
  });

  it('aborts like the script when even the granularity rate loses frames', async () => {
    const r = await rfc2544BinarySearch(cliff(0), {
      startRateMpps: 1,
      granularityMpps: 0.1,
      acceptableLossPct: 0,
      searchDurationS: 1,
      validationDurationS: 1,
    });
    expect(r.throughputMpps).toBeNull();
    expect(r.failure).toMatch(/could not even pass with a rate <= the granularity/);
  });
});

describe('multi-goal search', () => {
  it('finds NDR and PDR within the width goal with full-length trials only near the answer', async () => {
    const dut = new DutModel({
      name: 'soft',
      maxMpps: 8,
      kneePct: 95,
      lossAtCapacityPct: 2,
      bufferFrames: 2048,
    });
    const r = await multiGoalSearch(async (rate, d) => dut.trial(rate, d, 64), {
      maxRateMpps: 14.88,
      finalDurationS: 60,
      relativeWidth: 0.005,
    });
    expect(r.complete).toBe(true);
    const [ndr, pdr] = r.goals;
    const trueNdr = dut.trueThroughput(64, 60, 0).low;
    const truePdr = dut.trueThroughput(64, 60, 0.5).low;
    expect(ndr!.lowerMpps).toBeLessThanOrEqual(trueNdr);
    expect(ndr!.upperMpps).toBeGreaterThan(trueNdr);
    expect(ndr!.relativeWidth).toBeLessThanOrEqual(0.005 + 1e-12);
    expect(pdr!.lowerMpps).toBeLessThanOrEqual(truePdr);
    expect(pdr!.upperMpps).toBeGreaterThan(truePdr);
    // Every 60 s trial is within 2 % of an answer; the wide exploration ran at 1 s.
    for (const t of r.trials.filter((t) => t.durationS === 60)) {
      const near = [ndr!.lowerMpps!, pdr!.lowerMpps!].some((a) => Math.abs(t.rateMpps / a - 1) < 0.02);
      expect(near, `60 s trial at ${t.rateMpps}`).toBe(true);
    }
    expect(r.trials[0]).toMatchObject({ rateMpps: 14.88, durationS: 1 });
  });

  it('reports the maximum rate when the DUT forwards line rate, and no rate when it loses at the minimum', async () => {
    const fast = await multiGoalSearch(cliff(100), {
      maxRateMpps: 14.88,
      finalDurationS: 10,
      relativeWidth: 0.01,
      goals: [NDR],
    });
    expect(fast.goals[0]).toMatchObject({ lowerMpps: 14.88, upperMpps: null });
    const dead = await multiGoalSearch(cliff(0), {
      maxRateMpps: 14.88,
      finalDurationS: 10,
      relativeWidth: 0.01,
      goals: [PDR],
    });
    expect(dead.goals[0]!.lowerMpps).toBeNull();
    expect(dead.trials.length).toBeLessThan(40);
  });

  it('takes an absolute width goal, alone or with a relative one (the tighter holds)', async () => {
    const dut = new DutModel({ name: 'cliff', maxMpps: 3.7, bufferFrames: 512 });
    const run = (o: { absoluteWidthMpps?: number; relativeWidth?: number }) =>
      multiGoalSearch(async (rate, d) => dut.trial(rate, d, 64), {
        maxRateMpps: 14.88,
        finalDurationS: 60,
        goals: [NDR],
        ...o,
      });
    const absolute = await run({ absoluteWidthMpps: 0.01 });
    expect(absolute.goals[0]!.widthMpps).toBeLessThanOrEqual(0.01);
    // 5 % of 3.7 Mpps is 0.185 Mpps: the absolute 0.01 is the tighter goal.
    const both = await run({ absoluteWidthMpps: 0.01, relativeWidth: 0.05 });
    expect(both.goals[0]!.widthMpps).toBeLessThanOrEqual(0.01);
    const relative = await run({ relativeWidth: 0.05 });
    expect(relative.goals[0]!.widthMpps).toBeGreaterThan(0.01);
    expect(relative.goals[0]!.relativeWidth).toBeLessThanOrEqual(0.05);
    await expect(run({})).rejects.toThrow(/relativeWidth in \(0, 1\) and\/or absoluteWidthMpps > 0/);
  });

  it.for<DutModelSpec>([
    { name: 'cliff', maxMpps: 10, bufferFrames: 4096 },
    { name: 'soft knee', maxMpps: 8, kneePct: 95, lossAtCapacityPct: 2, bufferFrames: 2048 },
    { name: 'noisy', maxMpps: 9, noisePct: 0.3, bufferFrames: 4096, seed: 7 },
    { name: 'noisy soft', maxMpps: 6, kneePct: 97, lossAtCapacityPct: 1, noisePct: 0.2, seed: 11 },
  ])(
    'at equal precision finds NDR and PDR in fewer trials and less trial time than one binary NDR search: $name',
    async (spec) => {
      const truth = new DutModel(spec);
      const c = await compareSearches({
        name: spec.name,
        makeTrial: () => {
          const dut = new DutModel(spec);
          return async (rate, d) => dut.trial(rate, d, 64);
        },
        trueNdr: truth.trueThroughput(64, 60, 0),
        truePdr: truth.trueThroughput(64, 60, 0.5),
        maxRateMpps: 14.88,
        finalDurationS: 60,
        precisionMpps: 0.0372,
      });
      expect(c.binaryGranularityMpps).toBe(0.0186);
      const [binaryNdr, binaryBoth, multi] = c.runs;
      for (const run of c.runs) {
        expect(run.foundTruth, `${run.search} found the truth`).toBe(true);
        expect(run.withinPrecision, `${run.search} bracket ${run.bracketMpps}`).toBe(true);
        expect(run.bracketMpps).toBeLessThanOrEqual(0.0372 + 1e-9);
      }
      expect(multi!.ndr).not.toBeNull();
      expect(multi!.pdr).not.toBeNull();
      expect(multi!.trials).toBeLessThan(binaryNdr!.trials);
      expect(multi!.trialTimeS).toBeLessThan(binaryNdr!.trialTimeS);
      expect(binaryBoth!.trials).toBeGreaterThan(binaryNdr!.trials);
    },
  );

  it('scores a search as missing the truth when the DUT is not offered the rate asked for', async () => {
    const spec: DutModelSpec = { name: 'cliff', maxMpps: 3.7, bufferFrames: 512 };
    const truth = new DutModel(spec);
    const c = await compareSearches({
      name: spec.name,
      // The generator offers rates rounded down to 0.1 Mpps: passes are reported above the true NDR.
      makeTrial: () => {
        const dut = new DutModel(spec);
        return async (rate, d) => dut.trial(Math.floor(rate * 10) / 10, d, 64);
      },
      trueNdr: truth.trueThroughput(64, 60, 0),
      truePdr: truth.trueThroughput(64, 60, 0.5),
      maxRateMpps: 14.88,
      finalDurationS: 60,
      precisionMpps: 0.0372,
    });
    expect(c.runs.some((r) => !r.foundTruth || !r.withinPrecision)).toBe(true);
  });
});
