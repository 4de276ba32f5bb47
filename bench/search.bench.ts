/**
 * Compares the RFC 2544 binary search (MoonGen script semantics) with the
 * multi-goal search on seeded DUT models, at the same final trial length and
 * at least the same precision: trials, total trial time, results, and whether
 * each found the true throughput within its own precision.
 *
 *   npx tsx bench/search.bench.ts
 *
 * Exits non-zero when a search misses the truth, or when the multi-goal
 * search needs more trials or more trial time than binary searches for the
 * same goals (NDR + PDR). The single binary NDR search is shown for scale.
 */
import { compareSearches, type SearchComparison } from '../lib/trafficgen/search/search-comparison.ts';
import { lineRateMpps } from '../lib/trafficgen/line-rate.ts';
import { DutModel, type DutModelSpec } from '../sim/moongen/dut-model.ts';

const FRAME_SIZE = 64;
const LINK_GBPS = 10;
const FINAL_S = 60;
const WIDTH = 0.005;
const MAX_RATE = lineRateMpps(LINK_GBPS, FRAME_SIZE);

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
      relativeWidth: WIDTH,
    }),
  );
}

const fmt = (n: number | null, d = 3) => (n === null ? '-' : n.toFixed(d));
console.log(
  `frame ${FRAME_SIZE} B, ${LINK_GBPS} G (max ${MAX_RATE.toFixed(3)} Mpps), trials ${FINAL_S} s at full length, ` +
    `multi-goal width ${WIDTH * 100} %, binary granularity ${((WIDTH * MAX_RATE) / 2).toFixed(4)} Mpps`,
);
console.table(
  rows.flatMap((r) =>
    r.runs.map((run) => ({
      model: r.model,
      search: run.search,
      trials: run.trials,
      'trial time s': Math.round(run.trialTimeS),
      NDR: fmt(run.ndr),
      PDR: fmt(run.pdr),
      'true NDR': `${fmt(r.trueNdr.low)}..${fmt(r.trueNdr.high)}`,
      'true PDR': `${fmt(r.truePdr.low)}..${fmt(r.truePdr.high)}`,
      'precision Mpps': fmt(run.precisionMpps, 4),
      found: run.withinPrecision ? 'yes' : 'NO',
    })),
  ),
);

let failed = false;
for (const r of rows) {
  const binary = r.runs.find((x) => x.search === 'binary NDR + binary PDR')!;
  const multi = r.runs.find((x) => x.search === 'multi-goal NDR+PDR')!;
  for (const run of r.runs.filter((x) => !x.withinPrecision)) {
    console.error(`${r.model}: ${run.search} missed the true throughput`);
    failed = true;
  }
  if (!(multi.trials < binary.trials && multi.trialTimeS < binary.trialTimeS)) {
    console.error(
      `${r.model}: multi-goal (${multi.trials} trials, ${multi.trialTimeS} s) is not cheaper than binary NDR + PDR (${binary.trials} trials, ${binary.trialTimeS} s)`,
    );
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
