/**
 * Offered vs achieved: how a trial's sending shortfall is judged.
 *
 * On veth a shaper may slow the sender (socket back-pressure) instead of dropping frames, so counting
 * tx - rx alone would report no loss at any rate. Every trial therefore records the rate asked for
 * (offered) and the rate the sender achieved (frames sent / the sender's own send time), and:
 *
 * - shortfall <= pacing tolerance (the sender's own timing noise): nothing to judge, loss = tx - rx;
 * - shortfall beyond it while the generator alone reaches the offered rate (its calibration over a
 *   veth pair without the DUT): the DUT back-pressured the sender. That counts as loss: the frames the
 *   offered rate would have carried in the time the trial took, minus those received;
 * - shortfall beyond it and the generator alone cannot reach the rate: the trial is invalid and fails
 *   with `generator could not offer <rate> (achieved <rate>)`: no DUT verdict can come from it.
 */

export interface SentDirection {
  /** Rate asked for, frames/s. */
  offeredFps: number;
  /** Frames the sender sent. */
  sent: number;
  /** The sender's send time (first to last send), s. */
  elapsedS: number;
  /** Frames counted at the receiving namespace's interface. */
  received: number;
}

export interface JudgedDirection {
  achievedFps: number;
  /** 1 - achieved / offered, %. */
  shortfallPct: number;
  backPressure: boolean;
  /** What the search compares: tx = frames the offered rate called for, rx = frames received. */
  tx: number;
  rx: number;
}

export class GeneratorShortfallError extends Error {
  constructor(
    readonly offeredFps: number,
    readonly achievedFps: number,
    where: string,
  ) {
    super(`${where}: generator could not offer ${fmtRate(offeredFps)} (achieved ${fmtRate(achievedFps)})`);
    this.name = 'GeneratorShortfallError';
  }
}

export function fmtRate(fps: number): string {
  return fps >= 1e6 ? `${(fps / 1e6).toFixed(4)} Mpps` : `${(fps / 1e3).toFixed(2)} kpps`;
}

export function judgeDirection(
  d: SentDirection,
  opts: { pacingTolerancePct: number; calibratedFps: number; where: string },
): JudgedDirection {
  const achievedFps = d.elapsedS > 0 ? d.sent / d.elapsedS : 0;
  const shortfallPct = 100 * (1 - achievedFps / d.offeredFps);
  if (shortfallPct <= opts.pacingTolerancePct) {
    return { achievedFps, shortfallPct, backPressure: false, tx: d.sent, rx: d.received };
  }
  if (opts.calibratedFps * (1 + opts.pacingTolerancePct / 100) < d.offeredFps) {
    throw new GeneratorShortfallError(d.offeredFps, achievedFps, opts.where);
  }
  // Back-pressure: the offered rate would have sent offered * elapsed frames in the time the trial took.
  const called = Math.max(d.sent, Math.round(d.offeredFps * d.elapsedS));
  return { achievedFps, shortfallPct, backPressure: true, tx: called, rx: d.received };
}
