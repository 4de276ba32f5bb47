/**
 * The BGP fixture chain run programmatically (the same classes, in the same order, as
 * fixtures/index.ts), so a test can tell the embedded lab to misbehave between setup and the
 * run, look at the control node's own record while the lab is still up, and check what is left
 * running afterwards.
 *
 *   const out = await runScenarioChain({ scenarioFile, env, runId, reportsRoot, beforeRun, afterPhase });
 *   out.result?.failures, out.error, out.teardownErrors, out.simExit
 */
import { runBgpScenario, type ScenarioResult } from '../../../fixtures/bgp-scenario.ts';
import { BgpStressDriver, bindServers, expandServers } from '../../../fixtures/bgp-stress.ts';
import { ControlNodeDriver } from '../../../fixtures/control-node.ts';
import { IntrospectDriver } from '../../../fixtures/introspect.ts';
import { openScenarioLab, type OpenedLab } from '../../../fixtures/lab.ts';
import { ScenarioReport } from '../../../fixtures/report.ts';
import { loadScenarioWithThresholds } from '../../../fixtures/scenario.ts';
import { provisionVns } from '../../../fixtures/vns.ts';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { RunArchive } from '../../../lib/report/run-archive.ts';

export interface ChainOptions {
  scenarioFile: string;
  /** Scenario env overrides (NETSCALE_ITERATIONS, NETSCALE_SCENARIO_OVERRIDES, NETSCALE_THRESHOLD_*). */
  env: Record<string, string>;
  runId: string;
  reportsRoot: string;
  /** After setup (VNs created), before the run: e.g. inject a fault. */
  beforeRun?: (lab: OpenedLab) => Promise<void>;
  /** After each phase of the run, while the lab is up. */
  afterPhase?: (name: string, lab: OpenedLab) => Promise<void>;
}

export interface ChainOutcome {
  result: ScenarioResult | undefined;
  /** What the run threw, if it threw. */
  error: Error | undefined;
  teardownErrors: string[];
  runDir: string;
  /** Exit code of the embedded control node when it exited before the lab was closed. */
  simExit: number | null | undefined;
}

/** POST /sim/fault on the embedded control node's introspect port. */
export async function simFault(lab: OpenedLab, fault: unknown): Promise<void> {
  const res = await fetch(`${lab.sim!.endpoints.introspect}/sim/fault`, {
    method: 'POST',
    body: JSON.stringify(fault),
  });
  if (!res.ok) throw new Error(`POST /sim/fault ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
}

export interface SimEventStamp {
  monotonicMs: number;
}

export async function simEvents(lab: OpenedLab): Promise<{
  lastAgentUp?: SimEventStamp;
  lastRouteInstalled?: SimEventStamp;
  pendingUpdatesZero?: SimEventStamp;
  routesInstalled: number;
}> {
  const res = await fetch(`${lab.sim!.endpoints.introspect}/sim/events`);
  return (await res.json()) as Awaited<ReturnType<typeof simEvents>>;
}

export async function runScenarioChain(o: ChainOptions): Promise<ChainOutcome> {
  const loaded = loadScenarioWithThresholds(o.scenarioFile, { ...process.env, ...o.env });
  const s = loaded.scenario;
  const opened = await openScenarioLab({ lab: 'sim', runId: o.runId });
  let simExit: number | null | undefined;
  void opened.sim!.exited().then((code) => (simExit = code));
  const teardownErrors: string[] = [];
  const guard = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      teardownErrors.push(`${what}: ${(err as Error).message}`);
    }
  };
  const archive = await RunArchive.open({ runId: o.runId, root: o.reportsRoot });
  let result: ScenarioResult | undefined;
  let error: Error | undefined;
  try {
    const lab = opened.scenarioLab;
    const controlNode = new ControlNodeDriver(lab.controlNode);
    const introspect = new IntrospectDriver(lab.controlNode.config.introspect);
    const report = await ScenarioReport.open(archive, {
      scenario: s,
      lab: lab.name,
      dutVersion: await controlNode.version(),
      servers: bindServers(lab, expandServers(s.servers)).map((b) => b.name),
    });
    const phase = report.phase.bind(report);
    report.phase = async (name, fn) => {
      const out = await phase(name, fn);
      await o.afterPhase?.(name, opened);
      return out;
    };
    const bgpStress = new BgpStressDriver({
      lab,
      scenario: s,
      xmppServer: controlNode.xmppAddress,
      xmppPort: controlNode.config.xmppPort,
      logDir: `${archive.dir}/logs/${s.name}`,
    });
    const api = ConfigApiClient.fromLab(lab.configApi!.config, {
      domain: s.vns.domain,
      project: s.vns.project,
    });
    const vns = await provisionVns(api, bgpStress.vnFqNames(), s.vns);
    try {
      await o.beforeRun?.(opened);
      result = await runBgpScenario({ loaded, controlNode, bgpStress, introspect, report });
    } catch (err) {
      error = err as Error;
    } finally {
      await guard('stop bgp_stress_test', () => bgpStress.stopAll());
      await guard('delete VNs', () => vns.remove());
      await guard('finish report', () => report.finish());
    }
  } finally {
    await opened.close();
  }
  return { result, error, teardownErrors, runDir: archive.dir, simExit };
}
