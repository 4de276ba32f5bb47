/**
 * Where peers_up_time starts: the generator's bring-up line is stamped when it reaches us. Read late
 * (a busy pipe or SSH channel), it must not start the span after the sessions it announced; the span
 * then starts at the last sample that still showed no peer up.
 */
import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import type { Observation } from '../../lib/dut/dut.ts';
import type { ExpectedLoad, Load, LoadEvent } from '../../lib/load/load.ts';
import { deriveMilestone, SERIES, type MilestoneSpec } from '../../lib/measure/milestones.ts';
import { Series } from '../../lib/measure/series.ts';
import { ProgressLine } from '../../lib/progress/progress-line.ts';
import { bringUp, type PhaseContext } from '../../lib/scale/phases.ts';

const EXPECTED: ExpectedLoad = { peers: 2, prefixes: 0, agents: 2, updates: 0 };

/**
 * A generator whose sessions come up 3 ms after it starts (samples: none up at +1 and +2 ms, both at
 * +3 ms) and whose bring-up line we read `lineAfterMs` after it starts.
 */
async function bringUpWithLineAt(lineAfterMs: number) {
  const peersUp = new Series(SERIES.peersUp, 'count');
  const events: LoadEvent[] = [];
  let started = 0;
  const load = {
    expected: () => EXPECTED,
    start: () => {
      started = monotonicMs();
      peersUp.add(0, started + 1);
      peersUp.add(0, started + 2);
      peersUp.add(2, started + 3);
      events.push({ kind: 'bring-up-start', t: started + lineAfterMs, source: 'gen#1' });
      return Promise.resolve();
    },
  } satisfies Partial<Load<string>>;
  const observation = {
    latest: () => ({ peersUp: 2, prefixes: 0, pendingUpdates: 0, t: monotonicMs() }),
    hot: () => {},
    milestone: (spec: MilestoneSpec) => deriveMilestone(spec, [peersUp]),
  } satisfies Partial<Observation>;
  const ctx: PhaseContext<string> = {
    load: load as unknown as Load<string>,
    ks: [0],
    expected: EXPECTED,
    observations: [observation as unknown as Observation],
    timeouts: { peersUpSeconds: 5, routesAddSeconds: 5, routesDeleteSeconds: 5, exitSeconds: 5 },
    marks: { start: 0 },
    events,
    notes: [],
    progress: new ProgressLine('bring-up', { sink: { write: () => {}, isTTY: false } }),
    clockResolutionMs: 0.001,
  };
  expect(await bringUp(ctx)).toBe(true);
  return { from: ctx.marks.bringUpStart! - started };
}

describe('bring-up start mark', () => {
  it('is the bring-up line when it was read before any peer showed up', async () => {
    expect((await bringUpWithLineAt(1.5)).from).toBeCloseTo(1.5, 6);
  });

  it('is the last sample with no peer up when the line was read after the peers were up', async () => {
    expect((await bringUpWithLineAt(5)).from).toBeCloseTo(2, 6);
  });
});
