/**
 * Multi-server fan-out (the legacy stressfactr): one bgp_stress_test per test server (a range of
 * consecutive addresses), started together, one combined table (scenarios/fan-out.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/fan-out.yaml' });

test('fan-out: every test server loads the control node at once', async ({ bgpScale }) => {
  const servers = bgpScale.load.servers.length;
  expect(servers).toBeGreaterThan(1);
  const result = await bgpScale.run();
  for (const it of result.iterations) {
    const label = `iteration ${it.iteration} over ${servers} servers`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.expected.peers, label).toBe(servers * it.params.agents);
    // Each server's agents subscribe to that server's instances only.
    expect
      .soft(it.expected.updates, label)
      .toBe(servers * it.params.instances * it.params.agents ** 2 * it.params.routes);
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
});
