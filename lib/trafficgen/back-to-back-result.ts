/**
 * RFC 2544 back-to-back's result from its tests: per test one row under vsperf's keys (rates and counts
 * of the longest burst that met the loss goal, loss of the full-length burst), then the mean of the rows.
 */
import type { SearchTrial } from './search/trial.ts';
import type { BackToBackResult, TrafficResult } from './traffic-generator.ts';
import { averageResults, type VsperfB2b } from './vsperf-results.ts';

/** One test's figures: vsperf's back-to-back keys and the length of its longest passing burst, s. */
export type BackToBackRow = VsperfB2b & { burst_duration_s: number };

/** The longest burst that met the loss goal, or null when none did. */
export type BestBurst = { result: TrafficResult; durationS: number } | null;

/** A test's row from its full-length burst and its best one; without a best burst, NaN rates and 0 counts. */
export function backToBackRow(full: TrafficResult, best: BestBurst): BackToBackRow {
  return {
    b2b_rx_fps: best ? best.result.rxFps : NaN,
    b2b_tx_fps: best?.result.txFps ?? NaN,
    b2b_rx_percent: best ? best.result.rxPctLineRate : NaN,
    b2b_tx_percent: best?.result.txPctLineRate ?? NaN,
    b2b_tx_count: best ? best.result.txFrames : 0,
    b2b_frames: best ? best.result.rxFrames : 0,
    b2b_frame_loss_frames: full.lossFrames,
    b2b_frame_loss_percent: full.lossPct,
    burst_duration_s: best ? best.durationS : 0,
  };
}

/** The result over all tests: each figure the mean of the rows; trials and logs those of every burst. */
export function backToBackResult(
  rows: BackToBackRow[],
  trials: SearchTrial[],
  logs: Record<string, string>,
): BackToBackResult {
  const { burst_duration_s: burstDurationS, ...avg } = averageResults(rows);
  return {
    b2bFrames: avg.b2b_frames,
    b2bTxCount: avg.b2b_tx_count,
    b2bLossFrames: avg.b2b_frame_loss_frames,
    b2bLossPct: avg.b2b_frame_loss_percent,
    burstDurationS,
    trials,
    vsperf: avg,
    logs,
  };
}
