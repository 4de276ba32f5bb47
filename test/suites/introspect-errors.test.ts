/**
 * An introspect that answers garbage mid-run is not silently sampled around: the iteration gets a note
 * naming introspect, how many requests failed and why, so the run does not pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEmbeddedScenario, simFault } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-introspect-errors-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

describe('introspect errors during a run', { timeout: 120_000 }, () => {
  it('broken XML after bring-up is a note of the iteration naming introspect and the parse error', async () => {
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/route-scale.yaml',
      env: { NETSCALE_ITERATIONS: '1x2x20' },
      runId: `introspect-errors-${process.pid}-${Date.now()}`,
      reportsRoot,
      afterPhase: async (name, lab) => {
        if (name.startsWith('bring-up')) await simFault(lab, { garbage: { requests: 30 } });
      },
    });
    expect(out.error).toBeUndefined();
    const it1 = out.result!.iterations[0]!;
    process.stderr.write(`${it1.notes.join('\n')}\n`);
    expect(it1.notes).toEqual([
      expect.stringMatching(
        /^introspect: \d+ of \d+ requests failed during iteration 1 \(last: (peers|routes): .*not well-formed XML/,
      ),
    ]);
    const [, failed] = /^introspect: (\d+) of/.exec(it1.notes[0]!)!;
    expect(Number(failed)).toBe(30);
    // The run recovered (the figures are there) but does not pass.
    expect(it1.measurements.prefix_add_time).toBeDefined();
    expect(out.result!.pass).toBe(false);
    expect(out.result!.failures).toEqual([`iteration 1: ${it1.notes[0]}`]);
  });
});
