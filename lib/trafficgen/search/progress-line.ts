/**
 * Live search progress (trial, rate, loss, bounds) on the one progress line every long wait uses
 * (lib/progress/progress-line.ts): rewritten in place on a TTY, throttled in CI logs, and the last
 * trial always shown by done().
 */
import { ProgressLine, type ProgressOptions } from '../../progress/progress-line.ts';
import type { SearchTrial } from './trial.ts';

export interface SearchProgress {
  onTrial: (t: SearchTrial) => void;
  done: () => void;
}

export function trialText(t: SearchTrial): string {
  const f = (n: number | null) => (n === null ? '-' : n.toFixed(3));
  return (
    `trial ${t.index} ${t.label}: ${t.rateMpps.toFixed(3)} Mpps x ${t.durationS}s ` +
    `loss ${Number.isFinite(t.lossPct) ? t.lossPct.toFixed(6) : '?'} % ${t.passed ? 'pass' : 'FAIL'} ` +
    `bounds [${f(t.lowerMpps)}, ${f(t.upperMpps)}]`
  );
}

export function searchProgressLine(title: string, opts: ProgressOptions = {}): SearchProgress {
  const line = new ProgressLine(title, opts);
  return {
    onTrial: (t) => line.update({ note: trialText(t) }),
    done: () => line.done(),
  };
}
