/**
 * Compares the RFC 2544 binary search (MoonGen script semantics) with the
 * multi-goal search on seeded DUT models at one precision: every search must
 * end with a final bracket (lowest failing - highest passing full-length
 * rate) no wider than PRECISION_MPPS. Prints trials, total trial time,
 * results and brackets side by side.
 *
 *   npx tsx bench/search.bench.ts
 *   BENCH_PRECISION_MPPS=0.0744 npx tsx bench/search.bench.ts
 *
 * Exits non-zero when a search misses the true throughput or its precision,
 * or when on any model the multi-goal search (NDR and PDR) does not need
 * fewer trials and less trial time than one binary NDR search.
 */
import { compareSearches, type SearchComparison } from '../lib/trafficgen/search/search-comparison.ts';
import { lineRateMpps } from '../lib/trafficgen/line-rate.ts';
import { DutModel, type DutModelSpec } from '../sim/moongen/dut-model.ts';

const FRAME_SIZE = 64;
const LINK_GBPS = 10;
const FINAL_S = 60;
const MAX_RATE = lineRateMpps(LINK_GBPS, FRAME_SIZE);
/** 0.25 % of the 64 B line rate unless set. */
const PRECISION_MPPS = Number(process.env['BENCH_PRECISION_MPPS'] || (0.0025 * MAX_RATE).toFixed(4));
if (!(PRECISION_MPPS > 0)) {
  throw new Error(
    `BENCH_PRECISION_MPPS: expected a rate in Mpps > 0, found ${process.env['BENCH_PRECISION_MPPS']}`,
  );
}

export const BENCH_MODELS: DutModelSpec[] = [
  { name: 'cliff 10 Mpps', maxMpps: 10, bufferFrames: 4096 },
  { name: 'cliff 3.7 Mpps', maxMpps: 3.7, bufferFrames: 512 },
  { name: 'soft knee 8 Mpps', maxMpps: 8, kneePct: 95, lossAtCapacityPct: 2, bufferFrames: 2048 },
  { name: 'noisy 9 Mpps +-0.3%', maxMpps: 9, noisePct: 0.3, bufferFrames: 4096, seed: 7 },
  {
    name: 'noisy soft 6 Mpps +-0.2%',
    maxMpps: 6,
    kneePct: 97,
    lossAtCapacityPct: 1,
    noisePct: 0.2,
    seed: 11,
  },
];

const rows: SearchComparison[] = [];
for (const spec of BENCH_MODELS) {
  const truth = new DutModel(spec);
  rows.push(
    await compareSearches({
      name: spec.name,
      makeTrial: () => {
        const dut = new DutModel(spec);
        return async (rate, d) => dut.trial(rate, d, FRAME_SIZE);
      },
      trueNdr: truth.trueThroughput(FRAME_SIZE, FINAL_S, 0),
      truePdr: truth.trueThroughput(FRAME_SIZE, FINAL_S, 0.5),
      maxRateMpps: MAX_RATE,
      finalDurationS: FINAL_S,
      precisionMpps: PRECISION_MPPS,
    }),
  );
}

const fmt = (n: number | null, d = 3) => (n === null ? '-' : n.toFixed(d));
const band = (b: { low: number; high: number }) =>
  b.high - b.low < 5e-4 ? fmt(b.low) : `${fmt(b.low)}..${fmt(b.high)}`;
console.log(
  `frame ${FRAME_SIZE} B, ${LINK_GBPS} G (max ${MAX_RATE.toFixed(3)} Mpps), full-length trials ${FINAL_S} s; ` +
    `precision ${PRECISION_MPPS} Mpps for every search (final bracket = lowest fail - highest pass <= precision; ` +
    `binary granularity ${PRECISION_MPPS / 2} Mpps, multi-goal absolute width ${PRECISION_MPPS} Mpps)`,
);
console.table(
  rows.map((r) => {
    const [bn, bb, m] = r.runs;
    return {
      model: r.model,
      'true NDR': band(r.trueNdr),
      'true PDR': band(r.truePdr),
      'binary NDR trials/s': `${bn!.trials} / ${bn!.trialTimeS}`,
      'binary NDR+PDR trials/s': `${bb!.trials} / ${bb!.trialTimeS}`,
      'multi-goal trials/s': `${m!.trials} / ${Math.round(m!.trialTimeS)}`,
      'binary NDR / PDR': `${fmt(bb!.ndr)} / ${fmt(bb!.pdr)}`,
      'multi NDR / PDR': `${fmt(m!.ndr)} / ${fmt(m!.pdr)}`,
      'binary bracket': fmt(bb!.bracketMpps, 4),
      'multi bracket': fmt(m!.bracketMpps, 4),
      'truth found': r.runs.every((x) => x.foundTruth) ? 'yes' : 'NO',
    };
  }),
);

const problems: string[] = [];
for (const r of rows) {
  for (const run of r.runs) {
    if (!run.foundTruth) problems.push(`${r.model}: ${run.search} missed the true throughput`);
    if (!run.withinPrecision)
      problems.push(
        `${r.model}: ${run.search} ended with bracket ${fmt(run.bracketMpps, 4)} > ${PRECISION_MPPS} Mpps`,
      );
  }
  const binaryNdr = r.runs.find((x) => x.search === 'binary NDR')!;
  const multi = r.runs.find((x) => x.search === 'multi-goal NDR+PDR')!;
  if (!(multi.trials < binaryNdr.trials && multi.trialTimeS < binaryNdr.trialTimeS)) {
    problems.push(
      `${r.model}: multi-goal NDR+PDR (${multi.trials} trials, ${multi.trialTimeS} s) is not cheaper than one binary NDR search (${binaryNdr.trials} trials, ${binaryNdr.trialTimeS} s)`,
    );
  }
}
for (const p of problems) console.error(p);
console.log(problems.length === 0 ? 'all checks passed' : `${problems.length} check(s) failed`);
process.exitCode = problems.length === 0 ? 0 : 1;
