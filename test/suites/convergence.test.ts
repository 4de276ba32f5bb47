/**
 * Measured convergence against the embedded control node's own record (/sim/events, stamped on
 * the same system-wide monotonic clock): the route-add milestone the framework derives from its
 * introspect samples must bracket the instant the control node installed its last route and
 * drained its pending updates, and the measured durations must agree with the control node's
 * within the resolution each measurement states.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_TAG_ENV } from '../../lib/hosts/host.ts';
import { runningWithEnv } from '../support/proc.ts';
import { runEmbeddedScenario, simEvents } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-convergence-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

describe('convergence times vs the control node record', () => {
  it(
    'prefix add and peer bring-up agree with /sim/events within their stated resolution',
    { timeout: 90_000 },
    async () => {
      const runId = `conv-${process.pid}-${Date.now()}`;
      let atAdd: Awaited<ReturnType<typeof simEvents>> | undefined;
      let atBringUp: Awaited<ReturnType<typeof simEvents>> | undefined;
      const out = await runEmbeddedScenario({
        scenarioFile: 'scenarios/route-scale.yaml',
        env: { NETSCALE_ITERATIONS: '2x8x60' },
        runId,
        reportsRoot,
        // Read before the delete phase: withdrawals move pendingUpdatesZero on.
        afterPhase: async (name, lab) => {
          if (name.startsWith('bring-up')) atBringUp = await simEvents(lab);
          if (name.startsWith('add')) atAdd = await simEvents(lab);
        },
      });
      expect(out.error).toBeUndefined();
      const it1 = out.result!.iterations[0]!;
      expect(it1.notes).toEqual([]);

      // Route add: the control node converged when its last route was installed and pending updates were 0.
      const installed = atAdd!.lastRouteInstalled!.monotonicMs;
      const converged = Math.max(installed, atAdd!.pendingUpdatesZero?.monotonicMs ?? installed);
      const complete = it1.timeline.milestones.routesComplete!;
      expect(atAdd!.routesInstalled).toBeGreaterThanOrEqual(it1.expected.prefixes);
      expect(converged).toBeGreaterThanOrEqual(complete.lo! - 1);
      expect(converged).toBeLessThanOrEqual(complete.t + 1);
      // Adds are timed from the moment the tool logged that it started sending (it polls its trigger file).
      const { addTrigger, feedStart } = it1.timeline.marks;
      expect(feedStart).toBeGreaterThanOrEqual(addTrigger!);
      const measuredAdd = it1.measurements.prefix_add_time!;
      const ownAdd = (converged - feedStart!) / 1000;
      expect(Math.abs(measuredAdd.value - ownAdd)).toBeLessThanOrEqual(measuredAdd.resolution! + 0.001);
      // The poller resolves the add far more finely than the legacy 5 s route polling.
      expect(measuredAdd.resolution!).toBeLessThan(1);

      // Peer bring-up: the last agent the control node saw Established.
      const lastUp = atBringUp!.lastAgentUp!.monotonicMs;
      const measuredUp = it1.measurements.peers_up_time!;
      const ownUp = (lastUp - it1.timeline.marks.bringUpStart!) / 1000;
      expect(Math.abs(measuredUp.value - ownUp)).toBeLessThanOrEqual(measuredUp.resolution! + 0.001);
      expect(measuredUp.resolution!).toBeLessThan(1);
      process.stderr.write(
        `convergence: prefix_add_time ${measuredAdd.value.toFixed(4)} s (±${measuredAdd.resolution!.toFixed(4)}), control node ${ownAdd.toFixed(4)} s; ` +
          `peers_up_time ${measuredUp.value.toFixed(4)} s (±${measuredUp.resolution!.toFixed(4)}), control node ${ownUp.toFixed(4)} s\n`,
      );

      expect(runningWithEnv(RUN_TAG_ENV, runId)).toEqual([]);
    },
  );
});
