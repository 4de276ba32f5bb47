/**
 * Consecutive CPU runs (the legacy stressfactr run_cpu_test): the same load several times with the
 * lab's control-node restart command between runs; CPU peak/average and RSS peak per run
 * (scenarios/cpu-runs.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/cpu-runs.yaml' });

test('cpu runs: CPU and memory stay within limits run after run', async ({ bgpScale, scenario }) => {
  const result = await bgpScale.run();
  const { runs } = scenario.scenario.repeat;
  expect(new Set(result.iterations.map((it) => it.run)).size).toBe(runs);
  for (const it of result.iterations) {
    const label = `run ${it.run}, iteration ${it.iteration}`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.measurements.cpu_peak, label).toBeDefined();
    expect.soft(it.measurements.rss_peak, label).toBeDefined();
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
});
