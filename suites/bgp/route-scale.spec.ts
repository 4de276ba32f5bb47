/**
 * Route scale: prefix add and withdrawal time as instances and routes grow, one iteration after
 * another (scenarios/route-scale.yaml; NETSCALE_ITERATIONS / NETSCALE_PARALLEL override it).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/route-scale.yaml' });

test('route scale: every iteration converges within its thresholds', async ({ bgpScale, scenario }) => {
  const result = await bgpScale.run();
  expect(result.iterations).toHaveLength(scenario.scenario.iterations.length);
  for (const it of result.iterations) {
    const label = `iteration ${it.iteration} (${it.params.instances} instances x ${it.params.agents} agents x ${it.params.routes} routes)`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
});
