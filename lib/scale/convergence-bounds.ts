/**
 * The truth check of a convergence measured on a BGP daemon: two observers the measurement cannot see
 * bound it. The moment the generator handed its last UPDATE to the socket is a lower bound (the daemon
 * cannot hold what it was not yet sent; the kernel's acceptance, the injection time, can come after the
 * daemon has acted on it); the monitor peer's moment of holding every prefix (or none, after a withdraw)
 * is an upper bound (the daemon cannot re-advertise what it does not hold). The measured milestone, a
 * bracket [lo, t] of the poller's samples or of a daemon's own stamps, must meet that interval: t no
 * earlier than that hand-over, lo no later than the monitor's moment. Each line also says how long
 * injection took next to how long the daemon took, so a reader sees whether the generator or the daemon
 * was the bottleneck.
 */
import type { Milestone } from '../measure/milestones.ts';

export interface ConvergenceBounds {
  phase: 'add' | 'withdraw';
  /** Monotonic ms the phase was triggered. */
  trigger: number;
  /** The generator's last UPDATE written (kernel accepted its last byte): the end of injection. */
  lastWritten: number | undefined;
  /** Just before the generator handed its last UPDATE to the socket: the lower bound. */
  lastHanded: number | undefined;
  /** The measured milestone: the poller's bracket, or the daemon's own stamps inside it. */
  measured: Milestone | undefined;
  /** The monitor peer's read time of the UPDATE that made its count reach the target. */
  monitor: number | undefined;
  holds: boolean;
  line: string;
}

const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

export function convergenceBounds(o: {
  phase: 'add' | 'withdraw';
  trigger: number;
  lastWritten: number | undefined;
  lastHanded: number | undefined;
  measured: Milestone | undefined;
  monitor: number | undefined;
}): ConvergenceBounds {
  const { trigger, lastWritten, lastHanded, measured, monitor } = o;
  const problems: string[] = [];
  if (lastWritten === undefined) problems.push('the generator recorded no last write');
  if (measured === undefined) problems.push('the measurement never saw the daemon converge');
  if (monitor === undefined) problems.push('the monitor never reached the count');
  if (lastHanded !== undefined && measured && measured.t < lastHanded)
    problems.push(
      `the measured convergence ended ${s(lastHanded - measured.t)} before the generator sent its last UPDATE`,
    );
  if (monitor !== undefined && measured && (measured.lo ?? measured.t) > monitor)
    problems.push(
      `the measured convergence began ${s((measured.lo ?? measured.t) - monitor)} after the monitor had it`,
    );
  const injected = lastWritten === undefined ? 'not recorded' : s(lastWritten - trigger);
  const daemon = measured
    ? measured.lo === undefined
      ? `by ${s(measured.t - trigger)}`
      : // A bracket finer than the printed millisecond (a daemon's own stamp) is one moment.
        measured.t - measured.lo < 1
        ? `at ${s((measured.lo + measured.t) / 2 - trigger)}`
        : `between ${s(measured.lo - trigger)} and ${s(measured.t - trigger)}`
    : 'not seen';
  const mon = monitor === undefined ? 'not seen' : s(monitor - trigger);
  const line =
    `${o.phase}: injected in ${injected}, daemon converged ${daemon}, monitor at ${mon}` +
    (problems.length ? ` — truth check FAILED: ${problems.join('; ')}` : ' — within bounds');
  return { ...o, holds: problems.length === 0, line };
}
