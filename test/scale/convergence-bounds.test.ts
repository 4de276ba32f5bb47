import { describe, expect, it } from 'vitest';
import { convergenceBounds } from '../../lib/scale/convergence-bounds.ts';
import type { Milestone } from '../../lib/measure/milestones.ts';

const milestone = (lo: number, t: number): Milestone => ({
  name: 'routes complete',
  t,
  lo,
  wall: 0,
  uncertaintyMs: t - lo,
});

describe('the truth check of a daemon convergence', () => {
  it('holds when the measured bracket meets [last write, monitor]', () => {
    const b = convergenceBounds({
      phase: 'add',
      trigger: 1000,
      lastWritten: 1050,
      lastHanded: 1050,
      measured: milestone(1300, 1400),
      monitor: 1350,
    });
    expect(b.holds).toBe(true);
    expect(b.line).toBe(
      'add: injected in 0.050 s, daemon converged between 0.300 s and 0.400 s, monitor at 0.350 s — within bounds',
    );
  });

  it('holds for a daemon stamp after the last UPDATE was handed over but before the kernel reported it taken', () => {
    const b = convergenceBounds({
      phase: 'withdraw',
      trigger: 1000,
      lastWritten: 1007.2,
      lastHanded: 1006.9,
      measured: milestone(1006.998, 1007.002),
      monitor: 1057,
    });
    expect(b.holds).toBe(true);
  });

  it('prints a bracket finer than a millisecond (a daemon stamp) as one moment', () => {
    const b = convergenceBounds({
      phase: 'add',
      trigger: 1000,
      lastWritten: 1050,
      lastHanded: 1050,
      measured: milestone(1943.1, 1943.102),
      monitor: 2300,
    });
    expect(b.line).toBe(
      'add: injected in 0.050 s, daemon converged at 0.943 s, monitor at 1.300 s — within bounds',
    );
  });

  it('fails when the measured convergence ended before the generator sent its last UPDATE', () => {
    const b = convergenceBounds({
      phase: 'add',
      trigger: 1000,
      lastWritten: 1500,
      lastHanded: 1500,
      measured: milestone(1100, 1200),
      monitor: 1600,
    });
    expect(b.holds).toBe(false);
    expect(b.line).toMatch(
      /truth check FAILED: the measured convergence ended 0\.300 s before the generator sent its last UPDATE/,
    );
  });

  it('fails when the measured convergence began after the monitor already had every prefix', () => {
    const b = convergenceBounds({
      phase: 'withdraw',
      trigger: 0,
      lastWritten: 10,
      lastHanded: 10,
      measured: milestone(900, 1000),
      monitor: 400,
    });
    expect(b.holds).toBe(false);
    expect(b.line).toMatch(/the measured convergence began 0\.500 s after the monitor had it/);
  });

  it('fails, naming each, when an observer saw nothing', () => {
    const b = convergenceBounds({
      phase: 'add',
      trigger: 0,
      lastWritten: undefined,
      lastHanded: undefined,
      measured: undefined,
      monitor: undefined,
    });
    expect(b.holds).toBe(false);
    expect(b.line).toContain(
      'the generator recorded no last write; the measurement never saw the daemon converge; the monitor never reached the count',
    );
  });
});
