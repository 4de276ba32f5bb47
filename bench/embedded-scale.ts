/**
 * Benchmarks run a BGP scale scenario on an embedded lab of their own through the very session the
 * suites use (lib/scale ContrailScaleSession); results go to a scratch reports root.
 *
 *   const r = await runEmbeddedScale({ scenario: { name: 'bench', iterations: [...] } }, hooks);
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { openLab } from '../lib/lab/open-lab.ts';
import type { Lab } from '../lib/lab/lab.ts';
import { RunArchive } from '../lib/report/run-archive.ts';
import { ContrailScaleSession } from '../lib/scale/contrail-scale-session.ts';
import type { ScaleResult } from '../lib/scale/scale-session.ts';
import { parseScenario } from '../lib/scenario/load.ts';
import type { ScenarioInput } from '../lib/scenario/schema.ts';
import { ThresholdSet } from '../lib/thresholds/threshold-set.ts';

export async function runEmbeddedScale(
  scenario: ScenarioInput,
  hooks: { afterPhase?: (phase: string, lab: Lab) => Promise<void> } = {},
): Promise<ScaleResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'netscale-bench-'));
  const runId = `bench-${process.pid}-${Date.now()}`;
  const lab = await openLab({ lab: 'sim', runId, embedded: { ownControlNode: true }, claim: true });
  try {
    const loaded = {
      file: 'bench',
      scenario: parseScenario(stringify(scenario), 'bench'),
      thresholds: ThresholdSet.from({ defaults: {} }),
    };
    const archive = await RunArchive.open({ runId, root });
    const session = await ContrailScaleSession.open({
      lab,
      loaded,
      archive,
      afterPhase: (name) => hooks.afterPhase?.(name, lab) ?? Promise.resolve(),
    });
    try {
      return await session.run();
    } finally {
      const errors = await session.close();
      if (errors.length) process.stderr.write(`bench teardown: ${errors.join('; ')}\n`);
    }
  } finally {
    await lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** "1.234 s (±0.012)" */
export function seconds(v: { value: number; resolution?: number } | undefined): string {
  return v ? `${v.value.toFixed(3)} s (±${(v.resolution ?? NaN).toFixed(3)})` : 'not measured';
}
