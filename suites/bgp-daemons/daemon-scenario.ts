/**
 * One scenario file against every daemon it lists (or NETSCALE_DUT's): a describe per daemon, one test
 * that runs the scenario and asserts each iteration's notes, thresholds and truth bounds (every add and
 * withdraw between the generator's last write and the monitor's count).
 */
import { describe, expect, test } from 'netscale/fixtures';
import { selectDaemons } from '../../lib/daemons/select-daemons.ts';
import { loadScenarioWithThresholds } from '../../lib/scenario/loaded-scenario.ts';

export function daemonScenario(scenarioFile: string, title: string): void {
  const settings = loadScenarioWithThresholds(scenarioFile).scenario.bgpDaemon;
  if (!settings) throw new Error(`${scenarioFile}: bgpDaemon: expected the section of a daemon scenario`);

  describe.each(selectDaemons(settings.duts))('%s', (kind) => {
    test.override({ scenarioFile, bgpDaemonKind: kind });

    test(`${title}: every iteration within its thresholds and its truth bounds`, async ({
      bgpDaemonScale,
      scenario,
    }) => {
      const { result, bounds } = await bgpDaemonScale.run();
      expect(result.iterations).toHaveLength(scenario.scenario.iterations.length);
      // One run archive holds every daemon's run: each is a scenario of its own there and in the history.
      expect(result.scenario).toBe(`${scenario.scenario.name}-${kind}`);
      for (const [i, it] of result.iterations.entries()) {
        const label = `${kind} iteration ${it.iteration} (${it.params.agents} peers x ${it.params.routes} prefixes)`;
        console.log(`${label}: ${bounds[i]!.map((b) => b.line).join('; ')}`);
        expect.soft(it.notes, label).toEqual([]);
        expect.soft(it.measurements, label).toMeetThresholds(it.thresholds);
        for (const b of bounds[i]!) expect.soft(b.holds, `${label}: ${b.line}`).toBe(true);
        if (scenario.scenario.verifyRoutes)
          expect
            .soft(
              bounds[i]!.map((b) => b.phase),
              label,
            )
            .toEqual(['add', 'withdraw']);
      }
    });
  });
}
