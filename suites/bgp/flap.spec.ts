/**
 * Flap: agents drop (bgp_stress_test killed, sessions closed without withdrawing) and reconnect,
 * N times; re-convergence is timed per flap and the worst one counts (scenarios/flap.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/flap.yaml' });

test('flap: routes come back within the re-convergence threshold', async ({ bgpScale }) => {
  const result = await bgpScale.run();
  for (const it of result.iterations) {
    const label = `iteration ${it.iteration}`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.measurements.reconvergence_time, label).toBeDefined();
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
});
