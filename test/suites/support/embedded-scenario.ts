/**
 * One BGP scenario on an embedded lab of its own, through the very session the suites use
 * (lib/scale ContrailScaleSession), so a test can tell the lab to misbehave before the run or between
 * phases, read the control node's own record while the lab is up, and check what is left afterwards.
 *
 *   const out = await runEmbeddedScenario({ scenarioFile, env, runId, reportsRoot, beforeRun, afterPhase });
 *   out.result?.failures, out.error, out.teardownErrors, out.simExit
 */
import { openLab } from '../../../lib/lab/open-lab.ts';
import type { Lab } from '../../../lib/lab/lab.ts';
import { RunArchive } from '../../../lib/report/run-archive.ts';
import { ContrailScaleSession } from '../../../lib/scale/contrail-scale-session.ts';
import type { ScaleResult } from '../../../lib/scale/scale-session.ts';
import { loadScenarioWithThresholds } from '../../../lib/scenario/loaded-scenario.ts';

export interface EmbeddedScenarioOptions {
  scenarioFile: string;
  /** Scenario env overrides (NETSCALE_ITERATIONS, NETSCALE_SCENARIO_OVERRIDES, NETSCALE_THRESHOLD_*). */
  env: Record<string, string>;
  runId: string;
  reportsRoot: string;
  /** After setup (VNs created), before the run: e.g. inject a fault. */
  beforeRun?: (lab: Lab) => Promise<void>;
  /** After each phase of the run, while the lab is up. */
  afterPhase?: (name: string, lab: Lab) => Promise<void>;
}

export interface EmbeddedScenarioOutcome {
  result: ScaleResult | undefined;
  /** What the run threw, if it threw. */
  error: Error | undefined;
  teardownErrors: string[];
  runDir: string;
  /** Exit code of the embedded control node when it exited before the lab was closed. */
  simExit: number | null | undefined;
}

function introspectOf(lab: Lab): string {
  if (!lab.embedded) throw new Error(`lab ${lab.name} is not an embedded lab`);
  return lab.embedded.endpoints.introspect;
}

/** POST /sim/fault on the embedded control node's introspect port. */
export async function simFault(lab: Lab, fault: unknown): Promise<void> {
  const res = await fetch(`${introspectOf(lab)}/sim/fault`, { method: 'POST', body: JSON.stringify(fault) });
  if (!res.ok) throw new Error(`POST /sim/fault ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
}

export interface SimEventStamp {
  monotonicMs: number;
}

/** The control node's own record (GET /sim/events). */
export interface SimEvents {
  lastAgentUp?: SimEventStamp;
  lastRouteInstalled?: SimEventStamp;
  pendingUpdatesZero?: SimEventStamp;
  routesInstalled: number;
  updatesSent?: number;
  agentsUp: number;
}

export async function simEvents(lab: Lab): Promise<SimEvents> {
  const res = await fetch(`${introspectOf(lab)}/sim/events`);
  return (await res.json()) as SimEvents;
}

export async function runEmbeddedScenario(o: EmbeddedScenarioOptions): Promise<EmbeddedScenarioOutcome> {
  const loaded = loadScenarioWithThresholds(o.scenarioFile, { ...process.env, ...o.env });
  const lab = await openLab({ lab: 'sim', runId: o.runId, embedded: { ownControlNode: true }, claim: true });
  let simExit: number | null | undefined;
  void lab.embedded?.exited?.then((code) => (simExit = code));
  const archive = await RunArchive.open({
    runId: o.runId,
    root: o.reportsRoot,
    environment: { lab: lab.name },
  });
  let result: ScaleResult | undefined;
  let error: Error | undefined;
  let teardownErrors: string[] = [];
  try {
    const session = await ContrailScaleSession.open({
      lab,
      loaded,
      archive,
      afterPhase: (name) => o.afterPhase?.(name, lab) ?? Promise.resolve(),
    });
    try {
      await o.beforeRun?.(lab);
      result = await session.run();
    } catch (err) {
      error = err as Error;
    } finally {
      teardownErrors = await session.close();
    }
  } finally {
    await lab.close();
  }
  return { result, error, teardownErrors, runDir: archive.dir, simExit };
}
