/**
 * What every search runs on: one trial offers a rate for a duration and
 * returns the frames sent and received. Searches are pure functions over it,
 * so the same code drives MoonGen, the emulator and the benchmark's models.
 */

export interface TrialCounts {
  tx: number;
  rx: number;
}

/** Offers `rateMpps` (per transmitting direction) for `durationS` seconds; `label` says why ("validation", ...). */
export type TrialFn = (rateMpps: number, durationS: number, label: string) => Promise<TrialCounts>;

/** One trial a search ran, with the bounds it knew afterwards. */
export interface SearchTrial {
  index: number;
  rateMpps: number;
  durationS: number;
  tx: number;
  rx: number;
  /** 100 * (tx - rx) / tx; negative when the DUT delivered extra frames. */
  lossPct: number;
  passed: boolean;
  /** Why the search ran it: "search", "validation", "phase 1/2 NDR", ... */
  label: string;
  lowerMpps: number | null;
  upperMpps: number | null;
}

export type TrialListener = (trial: SearchTrial) => void;

export function lossPct(c: TrialCounts): number {
  return c.tx > 0 ? (100 * (c.tx - c.rx)) / c.tx : c.rx > 0 ? -Infinity : 100;
}
