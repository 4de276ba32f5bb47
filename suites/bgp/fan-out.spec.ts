/**
 * Multi-server fan-out (the legacy stressfactr): one bgp_stress_test per test server (a range of
 * consecutive addresses), started together, one combined table (scenarios/fan-out.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/fan-out.yaml' });

test('fan-out: every test server loads the control node at once', async ({ bgpScale, bgpStress }) => {
  expect(bgpStress.servers.length).toBeGreaterThan(1);
  const result = await bgpScale.run();
  for (const it of result.iterations) {
    const label = `iteration ${it.iteration} over ${bgpStress.servers.length} servers`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.expected.peers, label).toBe(bgpStress.servers.length * Number(it.params.agents));
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
});
