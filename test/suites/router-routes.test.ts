/**
 * router_routes_time on the embedded lab with the router check on: the MX emulator (sim/bin/junos-cli)
 * answers `show route summary` from the control node's own view, ~1.5 s a call, so the figure is coarse
 * but must be stated with its resolution, cannot come before the control node had the routes, and the
 * count the router's series holds must be what the emulator itself says (GET /sim/router-view).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lib/lab/lab.ts';
import { ROUTER_SERIES } from '../../lib/dut/router-route-poller.ts';
import { readSeries } from '../../lib/measure/series.ts';
import { runEmbeddedScenario } from './support/embedded-scenario.ts';

const reportsRoot = mkdtempSync(join(tmpdir(), 'netscale-router-routes-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

interface RouterView {
  monotonicMs: number;
  prefixes: number;
}

/** The emulator's truth: the VPN routes a BGP peer of the control node holds, read from the node itself. */
async function routerView(lab: Lab): Promise<RouterView> {
  const res = await fetch(`${lab.embedded!.endpoints.introspect}/sim/router-view`);
  expect(res.status).toBe(200);
  return (await res.json()) as RouterView;
}

describe('router routes on the embedded lab', { timeout: 120_000 }, () => {
  it('router_routes_time has a resolution, follows prefix_add_time, and the series holds the emulator count', async () => {
    let view: RouterView | undefined;
    const out = await runEmbeddedScenario({
      scenarioFile: 'scenarios/route-scale.yaml',
      env: {
        NETSCALE_ITERATIONS: '1x2x20',
        NETSCALE_SCENARIO_OVERRIDES: JSON.stringify({ router: { check: true } }),
      },
      runId: `router-routes-${process.pid}-${Date.now()}`,
      reportsRoot,
      // After the add, before the delete: the routes are in and stay until the withdrawal.
      afterPhase: async (name, lab) => {
        if (name.startsWith('add')) view = await routerView(lab);
      },
    });
    expect(out.error).toBeUndefined();
    expect(out.result!.failures).toEqual([]);
    const it1 = out.result!.iterations[0]!;
    const router = it1.measurements.router_routes_time!;
    const add = it1.measurements.prefix_add_time!;
    expect(router.resolution).toBeGreaterThan(0);
    expect(router.value).toBeGreaterThanOrEqual(add.value - add.resolution! - router.resolution!);

    expect(view!.prefixes).toBe(it1.expected.prefixes);
    const series = await readSeries(
      join(out.runDir, 'raw', 'route-scale', '1', `${ROUTER_SERIES.routes}.ndjson`),
    );
    const seen = series.points.filter((p) => p.t <= view!.monotonicMs);
    expect(seen.at(-1)!.v).toBe(view!.prefixes);
    // The milestone is the first answer holding them, after the trigger.
    expect(it1.timeline.milestones.routerRoutes!.t).toBeGreaterThan(it1.timeline.marks.addTrigger!);
    process.stderr.write(
      `router_routes_time ${router.value.toFixed(3)} s (±${router.resolution!.toFixed(3)}), ` +
        `prefix_add_time ${add.value.toFixed(3)} s (±${add.resolution!.toFixed(3)})\n`,
    );
  });
});
