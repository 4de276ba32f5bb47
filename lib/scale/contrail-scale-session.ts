/**
 * A BGP scale scenario on a Contrail lab, from setup to teardown: the control node under test (the
 * scenario's env written and the node restarted when asked), the report, bgp_stress_test on the test
 * servers (agent source addresses added where the lab wants them), the VNs the plan needs, the router
 * check; then the ScaleSession run; then everything undone in reverse order, even when the run failed.
 * Suites (through the bgpScale fixture), the framework's tests and the benchmarks all open this same
 * session.
 *
 *   const s = await ContrailScaleSession.open({ lab, loaded, archive });
 *   try { const result = await s.run(); } finally { await s.close(); }
 */
import { ConfigApiClient } from '../contrail/config-api-client.ts';
import { provisionVns, type ProvisionedVns } from '../contrail/vn-provisioning.ts';
import { ContrailControlNode, type ContrailScope } from '../dut/contrail-control-node.ts';
import { RouterCheck } from '../dut/junos-router.ts';
import type { Lab } from '../lab/lab.ts';
import { BgpStressLoad } from '../load/bgp-stress-load.ts';
import type { RunArchive } from '../report/run-archive.ts';
import { ScenarioReport } from '../report/scenario-report.ts';
import type { LoadedScenario } from '../scenario/loaded-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { resolve } from 'node:path';
import { baseline, noiseBand } from '../history/baseline.ts';
import { iterationShape } from '../history/history-key.ts';
import { HistoryStore } from '../history/history-store.ts';
import { attachTrendCharts, type TrendChartOptions } from '../report/trend-charts.ts';
import { ScaleSession, type ScaleResult, type ScaleSessionParts } from './scale-session.ts';
import { Teardown } from './teardown.ts';
import { provisionPolicies } from '../contrail/policy-provisioning.ts';
import { checkConnectivity } from '../load/connectivity-check.ts';
import { applyControlNodeEnv } from './control-node-env.ts';

export interface ContrailScaleOptions {
  lab: Lab;
  loaded: LoadedScenario;
  archive: RunArchive;
  signal?: AbortSignal;
  /** After each phase, while the lab is up. */
  afterPhase?: (phase: string) => Promise<void>;
}

/** Baselines from the run history when a threshold is relative to one. */
function historyBaselines(
  history: HistoryStore,
  labName: string,
  scenario: string,
  loaded: LoadedScenario,
): ScaleSessionParts<ContrailScope>['baselineOf'] {
  if (!loaded.thresholds.list().some((t) => t.relative)) return undefined;
  return (metric, params) => {
    const b = baseline(history, { lab: labName, scenario, shape: iterationShape({ ...params }), metric });
    if (!b.found) return undefined;
    const what = b.kind === 'pinned' ? `run ${b.runIds[0]}` : `median of ${b.runIds.length} runs`;
    return { value: b.value, what, noise: noiseBand(b) };
  };
}

/** Every loaded test server proves it reaches the control node's XMPP port from a sample of its agent sources. */
async function checkServersConnectivity(
  load: BgpStressLoad,
  dut: ContrailControlNode,
  sample: number,
  report: ScenarioReport,
): Promise<void> {
  const reports = await Promise.all(
    load.servers.map(({ bound, plan }) =>
      checkConnectivity({
        host: bound.testServer.host,
        server: bound.name,
        sources: plan.allSources,
        target: { address: dut.xmppAddress, port: dut.config.xmppPort },
        timeoutMs: 3000,
        sample,
      }),
    ),
  );
  await report.attachJson('connectivity check', reports);
}

export class ContrailScaleSession {
  private constructor(
    readonly dut: ContrailControlNode,
    readonly load: BgpStressLoad,
    readonly report: ScenarioReport,
    readonly vns: ProvisionedVns | undefined,
    readonly router: RouterCheck | undefined,
    private readonly session: ScaleSession<ContrailScope>,
    private readonly teardown: Teardown,
    private readonly scenario: Scenario,
    private readonly trends: Omit<TrendChartOptions, 'iterations'>,
  ) {}

  static async open(o: ContrailScaleOptions): Promise<ContrailScaleSession> {
    const { lab, loaded, archive } = o;
    const s = loaded.scenario;
    const where = `scenario ${loaded.file}`;
    const cnRole = lab.controlNodes[0];
    if (!cnRole) throw new Error(`lab ${lab.name}: controlNodes: expected at least one control node`);
    if (s.operation.kind === 'add_and_churn')
      throw new Error(
        `${where}: operation.kind add_and_churn needs a load that can withdraw part of its routes (the native BGP generator against a daemon); bgp_stress_test cannot`,
      );
    const routerRole = lab.routers[0];
    if (s.router.check && !routerRole)
      throw new Error(`${where}: router.check is set but lab ${lab.name} has no routers`);
    if (s.vns.create && !lab.configApi)
      throw new Error(`${where}: vns.create needs the lab's configApi (lab ${lab.name} has none)`);

    const claim = lab.claim;
    if (!claim)
      throw new Error(
        `lab ${lab.name}: a scale session changes the lab and needs its lock: open the lab with openLab({ claim: true })`,
      );
    const teardown = new Teardown();
    try {
      const dut = new ContrailControlNode(cnRole);
      // Planned before anything is touched: a plan error names the scenario's servers first.
      const load = new BgpStressLoad({
        lab,
        scenario: s,
        xmppServer: dut.xmppAddress,
        xmppPort: dut.config.xmppPort,
        logDir: `${archive.dir}/logs/${s.name}`,
      });
      const env = await applyControlNodeEnv(claim, cnRole, 0, s.controlNode.env);
      // Last undone: the original file back, then the node restarted with it.
      if (env) teardown.push('restore the control node env file', () => claim.revert(env));
      if (s.controlNode.restartBefore || env) await dut.restart();
      const report = await ScenarioReport.open(archive, {
        scenario: s,
        lab: lab.name,
        dutVersion: await dut.version(),
        servers: load.servers.map((b) => b.bound.name),
      });
      teardown.push('finish the report', () => report.finish());
      teardown.push('stop bgp_stress_test', () => load.stop());
      const addresses = claim.group();
      teardown.push('remove agent source addresses', () => addresses.revertAll());
      if (s.load) {
        await load.addSourceAddresses(addresses.record);
        // Before any agent starts: each server reaches the control node from its agents' addresses.
        if (s.connectivityCheck.check)
          await checkServersConnectivity(load, dut, s.connectivityCheck.sample, report);
      }
      let vns: ProvisionedVns | undefined;
      if (s.vns.create) {
        const api = ConfigApiClient.fromLab(lab.configApi!.config, {
          domain: s.vns.domain,
          project: s.vns.project,
          runId: lab.runId,
        });
        const objects = claim.group();
        // Newest first: the VNs, then the policies they referred to; or all kept (delete_vns_after_run=0).
        teardown.push('delete the VNs and their policies', async () => {
          if (!s.vns.deleteAfterRun) return objects.keepAll();
          const deleted = objects.size > 0;
          await objects.revertAll();
          if (deleted && s.controlNode.restartAfterDelete) await dut.restart();
        });
        const names = load.vnFqNames();
        const policies = s.policies.create
          ? await provisionPolicies(api, s.policies, names.length, objects.record)
          : undefined;
        vns = await provisionVns(api, names, s.vns, {
          record: objects.record,
          policies: policies?.attachmentsFor,
        });
      }
      const router = s.router.check && routerRole ? new RouterCheck(routerRole) : undefined;
      // The run history (the archive's reports root), read once, before this run joins it: baselines of
      // relative thresholds and the trend charts.
      const history = await HistoryStore.open(resolve(archive.dir, '../..'));
      const baselineOf = historyBaselines(history, lab.name, s.name, loaded);
      const session = new ScaleSession({
        scenario: s,
        thresholds: loaded.thresholds,
        dut,
        load,
        report,
        router,
        signal: o.signal,
        afterPhase: o.afterPhase,
        baselineOf,
      });
      const trends = { history, lab: lab.name, scenario: s.name, runId: archive.runId };
      return new ContrailScaleSession(dut, load, report, vns, router, session, teardown, s, trends);
    } catch (err) {
      await teardown.run();
      throw err;
    }
  }

  /** With the scenario's `load: false` (VNs only) nothing is loaded: a result with no iterations. */
  async run(): Promise<ScaleResult> {
    const s = this.scenario;
    if (!s.load) return { scenario: s.name, iterations: [], pass: true, failures: [] };
    const result = await this.session.run();
    await attachTrendCharts({ ...this.trends, iterations: result.iterations });
    return result;
  }

  /** Undoes the setup in reverse order; every step runs, the errors are returned (and thrown by the fixture). */
  close(): Promise<string[]> {
    return this.teardown.run();
  }
}
