/**
 * Route scale on real BGP daemons (scenarios/bgp-daemons/route-scale.yaml): every daemon of the scenario
 * (or NETSCALE_DUT's) in its own namespaces, loaded by the native generator, watched by a monitor peer.
 * Each add and withdraw must lie between the generator's last write and the monitor's count (truth check).
 */
import { describe, expect, test } from 'netscale/fixtures';
import { selectDaemons } from '../../lib/daemons/select-daemons.ts';
import { loadScenarioWithThresholds } from '../../lib/scenario/loaded-scenario.ts';

const SCENARIO = 'scenarios/bgp-daemons/route-scale.yaml';
const kinds = selectDaemons(loadScenarioWithThresholds(SCENARIO).scenario.bgpDaemon!.duts);

describe.each(kinds)('%s', (kind) => {
  test.override({ scenarioFile: SCENARIO, bgpDaemonKind: kind });

  test('route scale: every iteration converges within its thresholds and its truth bounds', async ({
    bgpDaemonScale,
    scenario,
  }) => {
    const { result, bounds } = await bgpDaemonScale.run();
    expect(result.iterations).toHaveLength(scenario.scenario.iterations.length);
    for (const [i, it] of result.iterations.entries()) {
      const label = `${kind} iteration ${it.iteration} (${it.params.agents} peers x ${it.params.routes} prefixes)`;
      console.log(`${label}: ${bounds[i]!.map((b) => b.line).join('; ')}`);
      expect.soft(it.notes, label).toEqual([]);
      expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
      expect
        .soft(
          bounds[i]!.map((b) => b.phase),
          label,
        )
        .toEqual(['add', 'withdraw']);
      for (const b of bounds[i]!) expect.soft(b.holds, `${label}: ${b.line}`).toBe(true);
    }
  });
});
