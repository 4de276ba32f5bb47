/**
 * Agent scale: XMPP peer bring-up time and rate as the number of agents grows, the same routes per
 * agent (scenarios/agent-scale.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ scenarioFile: 'scenarios/agent-scale.yaml' });

test('agent scale: peers come up fast enough at every size', async ({ bgpScale }) => {
  const result = await bgpScale.run();
  for (const it of result.iterations) {
    const label = `iteration ${it.iteration} (${it.params.agents} agents)`;
    expect.soft(it.notes, label).toEqual([]);
    expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
  }
  const [small, large] = result.iterations;
  // Every agent of the larger iteration was counted, not only as many as in the smaller one.
  expect(large?.expected.peers).toBeGreaterThan(small?.expected.peers ?? 0);
});
