/**
 * A device under test as the emulator and the search benchmark see it: a
 * forwarding capacity per frame size, a loss curve around it, optional random
 * loss (a lossy DUT), per-trial capacity noise, a buffer that absorbs bursts,
 * and a latency that grows with load. Everything is seeded: a model and a
 * seed give the same trials every time.
 */
import { L1_OVERHEAD_BYTES } from './line-rate.ts';

export interface DutModelSpec {
  name: string;
  /** Packet-processing limit per direction, Mpps. */
  maxMpps: number;
  /** Bandwidth limit per direction with L1 overhead, Gbit/s (none when absent). */
  maxGbps?: number;
  /** Loss starts at this % of capacity and grows quadratically up to lossAtCapacityPct (100 = a clean cliff). */
  kneePct?: number;
  lossAtCapacityPct?: number;
  /** Random loss at every rate, in % of frames: a DUT that never reaches zero loss. */
  lossFloorPct?: number;
  /** Capacity varies uniformly by +- this % from trial to trial. */
  noisePct?: number;
  /** Frames the DUT queues before it drops (absorbs short bursts above capacity). */
  bufferFrames?: number;
  /** One-way latency at low load, microseconds. */
  latencyUs?: number;
  seed?: number;
}

export interface DutTrial {
  tx: number;
  rx: number;
  latencyNs: { min: number; avg: number; max: number };
}

/** Small, fast, seedable PRNG (mulberry32): uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class DutModel {
  private readonly random: () => number;

  constructor(readonly spec: DutModelSpec) {
    if (!(spec.maxMpps > 0))
      throw new Error(`DUT model ${spec.name}: expected maxMpps > 0, found ${spec.maxMpps}`);
    this.random = seededRandom(spec.seed ?? 1);
  }

  /** Nominal capacity per direction in Mpps at a frame size (no noise). */
  capacityMpps(frameSize: number): number {
    const byBandwidth = this.spec.maxGbps
      ? (this.spec.maxGbps * 1e3) / ((frameSize + L1_OVERHEAD_BYTES) * 8)
      : Infinity;
    return Math.min(this.spec.maxMpps, byBandwidth);
  }

  /** One trial at `rateMpps` for `durationS` through one direction; draws noise from the model's seed. */
  trial(rateMpps: number, durationS: number, frameSize: number): DutTrial {
    const noise = (this.spec.noisePct ?? 0) / 100;
    const jitter = 1 + noise * (2 * this.random() - 1);
    const floorDraw = this.random();
    return this.trialAt(rateMpps, durationS, this.capacityMpps(frameSize) * jitter, floorDraw);
  }

  /** Deterministic core: a trial against a given capacity. */
  trialAt(rateMpps: number, durationS: number, capacityMpps: number, floorDraw = 0.5): DutTrial {
    const s = this.spec;
    const tx = Math.round(rateMpps * 1e6 * durationS);
    const lossAtC = (s.lossAtCapacityPct ?? 0) / 100;
    const knee = ((s.kneePct ?? 100) / 100) * capacityMpps;
    const soft = (x: number) =>
      x <= knee || capacityMpps <= knee ? 0 : lossAtC * ((x - knee) / (capacityMpps - knee)) ** 2;
    let rx: number;
    if (rateMpps <= capacityMpps) {
      rx = tx - Math.round(tx * soft(rateMpps));
    } else {
      const deliverable = Math.round(capacityMpps * (1 - lossAtC) * 1e6 * durationS + (s.bufferFrames ?? 0));
      rx = Math.min(tx, deliverable);
    }
    const floor = (s.lossFloorPct ?? 0) / 100;
    if (floor > 0) rx -= Math.min(rx, Math.max(1, Math.round(tx * floor * (0.5 + floorDraw))));
    const base = (s.latencyUs ?? 10) * 1000;
    const rho = Math.min(rateMpps / capacityMpps, 0.999);
    const queueNs = ((s.bufferFrames ?? 0) / (capacityMpps * 1e6)) * 1e9;
    const avg = Math.min(base * (1 + (0.05 * rho) / (1 - rho)), base + queueNs);
    const max = rateMpps > capacityMpps ? base + queueNs : avg * 2;
    return { tx, rx: Math.max(0, rx), latencyNs: { min: base * 0.9, avg, max } };
  }

  /**
   * The highest rate that meets a loss goal at a duration, found by bisection
   * on the noiseless model; with noise, the band between the lowest and the
   * highest capacity the noise can give.
   */
  trueThroughput(frameSize: number, durationS: number, goalLossPct: number): { low: number; high: number } {
    const c = this.capacityMpps(frameSize);
    const noise = (this.spec.noisePct ?? 0) / 100;
    const at = (capacity: number) => {
      let lo = 0;
      let hi = capacity * 4;
      for (let i = 0; i < 100; i++) {
        const mid = (lo + hi) / 2;
        const t = this.trialAt(mid, durationS, capacity);
        if ((100 * (t.tx - t.rx)) / Math.max(1, t.tx) <= goalLossPct) lo = mid;
        else hi = mid;
      }
      return lo;
    };
    return { low: at(c * (1 - noise)), high: at(c * (1 + noise)) };
  }
}

/** Named models the emulator and tests can pick with MOONGEN_SIM_DUT=<name>. */
export const DUT_PRESETS: Record<string, DutModelSpec> = {
  /** Forwards 64 B at 10 Mpps and 9.5 Gbit/s: wire speed from 128 B up. Clean cliff. */
  'vswitch-10g': { name: 'vswitch-10g', maxMpps: 10, maxGbps: 9.5, bufferFrames: 4096, latencyUs: 12 },
  /** Loss starts at 95 % of capacity: NDR and PDR differ. */
  'soft-knee': {
    name: 'soft-knee',
    maxMpps: 8,
    kneePct: 95,
    lossAtCapacityPct: 2,
    bufferFrames: 2048,
    latencyUs: 20,
  },
  /** Capacity varies +-0.3 % between trials. */
  noisy: { name: 'noisy', maxMpps: 9, noisePct: 0.3, bufferFrames: 4096, latencyUs: 15, seed: 7 },
  /** Drops 0.01 % of frames at any rate: never passes a zero-loss threshold. */
  lossy: { name: 'lossy', maxMpps: 10, lossFloorPct: 0.01, bufferFrames: 1024, latencyUs: 25 },
};
