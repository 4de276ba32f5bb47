/**
 * Figures checked against the embedded control node's own record (GET /sim/events), which the
 * measuring side never reads during a run: the route updates it actually sent on a fan-out, and
 * flap re-convergence timed from the tool's re-feed (the record's clock is the same system-wide
 * monotonic clock).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEmbeddedScenario, simEvents, type SimEvents } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-record-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

const runId = (what: string) => `record-${what}-${process.pid}-${Date.now()}`;

interface ArchivedIteration {
  expected: { updates: number; prefixes: number };
  measurements: Record<string, { value: number }>;
}

function archived(runDir: string, scenario: string): ArchivedIteration[] {
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    scenarios: Array<{ scenario: string; iterations: ArchivedIteration[] }>;
  };
  return r.scenarios.find((s) => s.scenario === scenario)!.iterations;
}

describe('figures vs the control node record', { timeout: 120_000 }, () => {
  it.for<{ env: Record<string, string>; updates: number }>([
    { env: {}, updates: 3000 },
    {
      env: { NETSCALE_ITERATIONS: '2x3x10', NETSCALE_SERVERS: '127.0.0.51+2' },
      updates: 2 * 2 * (3 * 10) * 3,
    },
  ])('fan-out archives the updates the control node sent ($env)', async ({ env, updates }) => {
    let sent: SimEvents | undefined;
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/fan-out.yaml',
      env,
      runId: runId('fan-out'),
      reportsRoot,
      // Counted before the withdrawal sends its own updates.
      afterPhase: async (name, lab) => {
        if (name.startsWith('add')) sent = await simEvents(lab);
      },
    });
    expect(out.error).toBeUndefined();
    expect(out.result!.failures).toEqual([]);
    const [it1] = archived(out.runDir, 'fan-out');
    expect(sent!.updatesSent).toBe(updates);
    expect(it1!.expected.updates).toBe(sent!.updatesSent);
    const add = out.result!.iterations[0]!.measurements.prefix_add_time!.value;
    expect(it1!.measurements.updates_per_second!.value).toBeCloseTo(sent!.updatesSent! / add, 6);
  });

  it('flap re-convergence is under a second and agrees with the record within its resolution', async () => {
    const records: SimEvents[] = [];
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/flap.yaml',
      env: {},
      runId: runId('flap'),
      reportsRoot,
      afterPhase: async (name, lab) => {
        if (name.startsWith('flap')) records.push(await simEvents(lab));
      },
    });
    expect(out.error).toBeUndefined();
    expect(out.result!.failures).toEqual([]);
    const it1 = out.result!.iterations[0]!;
    const reconvergence = it1.measurements.reconvergence_time!;
    expect(reconvergence.value).toBeLessThan(1);
    // The record holds the last flap: its last route installed and pending updates drained.
    const last = it1.timeline.flaps!.at(-1)!.reconvergence!;
    const rec = records[0]!;
    const converged = Math.max(rec.lastRouteInstalled!.monotonicMs, rec.pendingUpdatesZero!.monotonicMs);
    const own = converged - last.from;
    expect(Math.abs(last.ms - own)).toBeLessThanOrEqual(last.resolutionMs + 1);
    expect(reconvergence.value * 1000).toBeCloseTo(
      Math.max(...it1.timeline.flaps!.map((f) => f.reconvergence!.ms)),
      6,
    );
    expect(it1.measurements.reconnect_time).toBeDefined();
    process.stderr.write(
      `flap: reconvergence ${(last.ms / 1000).toFixed(4)} s (±${(last.resolutionMs / 1000).toFixed(4)}), control node ${(own / 1000).toFixed(4)} s; ` +
        `reconnect ${it1.measurements.reconnect_time!.value.toFixed(4)} s\n`,
    );
  });
});
