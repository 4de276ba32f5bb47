/**
 * Live search progress on one terminal line: trial, rate, loss, bounds.
 * Rewritten in place on a TTY, at most one line per `minIntervalMs`
 * otherwise (CI logs), and always for the last trial shown by done().
 */
import { monotonicMs } from '../../clock.ts';
import type { SearchTrial } from './trial.ts';

export interface ProgressLine {
  onTrial: (t: SearchTrial) => void;
  done: () => void;
}

export function searchProgressLine(
  title: string,
  opts: { stream?: NodeJS.WriteStream; minIntervalMs?: number } = {},
): ProgressLine {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const minInterval = opts.minIntervalMs ?? (tty ? 100 : 5000);
  let lastAt = -Infinity;
  let pending: string | null = null;
  const f = (n: number | null) => (n === null ? '-' : n.toFixed(3));
  const write = (line: string) => stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  return {
    onTrial(t) {
      const line =
        `${title} trial ${t.index} ${t.label}: ${t.rateMpps.toFixed(3)} Mpps x ${t.durationS}s ` +
        `loss ${Number.isFinite(t.lossPct) ? t.lossPct.toFixed(6) : '?'} % ${t.passed ? 'pass' : 'FAIL'} ` +
        `bounds [${f(t.lowerMpps)}, ${f(t.upperMpps)}]`;
      const now = monotonicMs();
      if (now - lastAt >= minInterval) {
        write(line);
        lastAt = now;
        pending = null;
      } else pending = line;
    },
    done() {
      if (pending) write(pending);
      if (tty) stream.write('\n');
      pending = null;
    },
  };
}
