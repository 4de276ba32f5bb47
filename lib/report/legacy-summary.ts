/**
 * The legacy harness's results summary (results_summary_<pid>.txt), recomputed from raw series.
 *
 * Per iteration it needs, in the run archive (run-archive.ts):
 *   series   peers_up, prefixes, pending_updates (lib/measure/milestones.ts SERIES)
 *   marks    start (load started), add_trigger (route sends triggered), delete_trigger (withdrawal started);
 *            optional bring_up_start / add_start (the tool's own log: agents connecting, routes being sent),
 *            which the spans start from when present
 *   expected peers (XMPP peers), prefixes (prefixes in the control node), agents, updates (route updates the
 *            control node sends; archives without it: prefixes x agents)
 *   request  peers_request_ms / routes_request_ms when archived: a milestone's bracket starts when the
 *            request of the sample before it was sent, as during the run
 * Milestones (all peers up, routes complete with pending_updates 0, all withdrawn) are derived from the
 * series, so `netscale summarize` on an archive gives the same figures as the run did.
 *
 * Totals use wall-clock spans, never summed busy time across overlapping work: sequential iterations add
 * their spans; parallel iterations use one span from the first start to the last milestone.
 *
 * API:
 * - `legacySummaryFromRun(dir, run)` -> LegacySummary (reads the series files under dir).
 * - `formatLegacySummary(summary)` -> the results_summary.txt text.
 */
import { join } from 'node:path';
import { readSeries, type SeriesData } from '../measure/series.ts';
import {
  type Milestone,
  allPeersUp,
  allWithdrawn,
  deriveMilestone,
  durationSince,
  routesComplete,
  widenToRequest,
} from '../measure/milestones.ts';
import type { IterationRecord, RunResults, ScenarioRecord } from './run-archive.ts';

/** A wall-clock span: from a mark to a milestone, with how precisely its end is known. */
export interface Span {
  ms: number;
  resolutionMs: number | undefined;
}

export interface IterationSummary {
  iteration: number;
  params: Record<string, unknown>;
  peers: number;
  prefixes: number;
  agents: number;
  updates: number;
  startWall: number;
  endWall: number;
  peerUp: Span | undefined;
  add: Span | undefined;
  delete: Span | undefined;
  /** Why a span is missing (milestone not reached, series or mark absent). */
  notes: string[];
  /** Monotonic instants used for parallel spans. */
  marks: { start?: number; addStart?: number; deleteTrigger?: number };
  milestones: { allPeersUp?: Milestone; routesComplete?: Milestone; allWithdrawn?: Milestone };
}

export interface ScenarioTotals {
  peers: number;
  prefixes: number;
  updates: number;
  peerUp: Span | undefined;
  avgPerPeerMs: number | undefined;
  peersPerSecond: number | undefined;
  add: Span | undefined;
  delete: Span | undefined;
  avgPerPrefixUs: number | undefined;
  avgPerUpdateUs: number | undefined;
  prefixesPerSecond: number | undefined;
  updatesPerSecond: number | undefined;
  deletedPrefixesPerSecond: number | undefined;
}

export interface ScenarioSummary {
  scenario: string;
  parallel: boolean;
  params: Record<string, unknown>;
  startWall: number;
  endWall: number;
  iterations: IterationSummary[];
  totals: ScenarioTotals;
}

export interface LegacySummary {
  runId: string;
  startWall: number;
  endWall: number;
  scenarios: ScenarioSummary[];
}

async function loadSeries(dir: string, it: IterationRecord): Promise<Record<string, SeriesData>> {
  const out: Record<string, SeriesData> = {};
  for (const [name, file] of Object.entries(it.series)) out[name] = await readSeries(join(dir, file));
  return out;
}

function span(
  label: string,
  mark: number | undefined,
  m: Milestone | undefined,
  notes: string[],
): Span | undefined {
  if (mark === undefined) notes.push(`${label}: no mark`);
  else if (!m) notes.push(`${label}: not reached`);
  else return durationSince(mark, m);
  return undefined;
}

function milestoneOrNote(
  series: Record<string, SeriesData>,
  spec: Parameters<typeof deriveMilestone>[0],
  notes: string[],
): Milestone | undefined {
  const missing = Object.keys(spec.when).filter((n) => !series[n]);
  if (missing.length) {
    notes.push(`${spec.name}: no series ${missing.join(', ')}`);
    return undefined;
  }
  return deriveMilestone(spec, series);
}

async function summarizeIteration(dir: string, it: IterationRecord): Promise<IterationSummary> {
  const series = await loadSeries(dir, it);
  const peers = it.expected.peers ?? 0;
  const prefixes = it.expected.prefixes ?? 0;
  const agents = it.expected.agents ?? peers;
  const notes: string[] = [];
  const start = it.marks.bring_up_start ?? it.marks.start ?? it.start;
  const addTrigger = it.marks.add_trigger;
  const addStart = it.marks.add_start ?? addTrigger;
  const deleteTrigger = it.marks.delete_trigger;
  const peersAt = (m: Milestone | undefined) => widenToRequest(m, series.peers_request_ms);
  const routesAt = (m: Milestone | undefined) => widenToRequest(m, series.routes_request_ms);
  const up = peersAt(milestoneOrNote(series, { ...allPeersUp(peers), after: start }, notes));
  const complete =
    addTrigger === undefined
      ? undefined
      : routesAt(milestoneOrNote(series, routesComplete(prefixes, addTrigger), notes));
  const withdrawn =
    deleteTrigger === undefined
      ? undefined
      : routesAt(milestoneOrNote(series, allWithdrawn(deleteTrigger), notes));
  return {
    iteration: it.iteration,
    params: it.params,
    peers,
    prefixes,
    agents,
    updates: it.expected.updates ?? prefixes * agents,
    startWall: it.startWall,
    endWall: it.endWall,
    peerUp: span('peer bring-up', start, up, notes),
    add: span('prefix add', addStart, complete, notes),
    delete: span('prefix delete', deleteTrigger, withdrawn, notes),
    notes,
    marks: { start, addStart, deleteTrigger },
    milestones: { allPeersUp: up, routesComplete: complete, allWithdrawn: withdrawn },
  };
}

/** Sequential: sum of spans. Parallel: first mark to last milestone. Undefined if any iteration lacks it. */
function totalSpan(
  its: IterationSummary[],
  parallel: boolean,
  pick: (i: IterationSummary) => {
    span: Span | undefined;
    mark: number | undefined;
    m: Milestone | undefined;
  },
): Span | undefined {
  const parts = its.map(pick);
  if (parts.length === 0 || parts.some((p) => !p.span || p.mark === undefined || !p.m)) return undefined;
  if (!parallel) {
    const res = parts.map((p) => p.span!.resolutionMs);
    return {
      ms: parts.reduce((a, p) => a + p.span!.ms, 0),
      resolutionMs: res.some((r) => r === undefined) ? undefined : res.reduce((a, r) => a! + r!, 0),
    };
  }
  const first = Math.min(...parts.map((p) => p.mark!));
  const last = parts.reduce((a, p) => (p.m!.t > a.m!.t ? p : a));
  return durationSince(first, last.m!);
}

function per(count: number, s: Span | undefined): number | undefined {
  return s && s.ms > 0 ? count / (s.ms / 1000) : undefined;
}

function summarizeScenario(sc: ScenarioRecord, iterations: IterationSummary[]): ScenarioSummary {
  const peers = iterations.reduce((a, i) => a + i.peers, 0);
  const prefixes = iterations.reduce((a, i) => a + i.prefixes, 0);
  const updates = iterations.reduce((a, i) => a + i.updates, 0);
  const peerUp = totalSpan(iterations, sc.parallel, (i) => ({
    span: i.peerUp,
    mark: i.marks.start,
    m: i.milestones.allPeersUp,
  }));
  const add = totalSpan(iterations, sc.parallel, (i) => ({
    span: i.add,
    mark: i.marks.addStart,
    m: i.milestones.routesComplete,
  }));
  const del = totalSpan(iterations, sc.parallel, (i) => ({
    span: i.delete,
    mark: i.marks.deleteTrigger,
    m: i.milestones.allWithdrawn,
  }));
  return {
    scenario: sc.scenario,
    parallel: sc.parallel,
    params: sc.params,
    startWall: Math.min(sc.startWall, ...iterations.map((i) => i.startWall)),
    endWall: Math.max(sc.endWall, ...iterations.map((i) => i.endWall)),
    iterations,
    totals: {
      peers,
      prefixes,
      updates,
      peerUp,
      avgPerPeerMs: peerUp && peers > 0 ? peerUp.ms / peers : undefined,
      peersPerSecond: per(peers, peerUp),
      add,
      delete: del,
      avgPerPrefixUs: add && prefixes > 0 ? (add.ms * 1000) / prefixes : undefined,
      avgPerUpdateUs: add && updates > 0 ? (add.ms * 1000) / updates : undefined,
      prefixesPerSecond: per(prefixes, add),
      updatesPerSecond: per(updates, add),
      deletedPrefixesPerSecond: per(prefixes, del),
    },
  };
}

export async function legacySummaryFromRun(dir: string, run: RunResults): Promise<LegacySummary> {
  const scenarios: ScenarioSummary[] = [];
  for (const sc of run.scenarios) {
    const its: IterationSummary[] = [];
    for (const it of sc.iterations) its.push(await summarizeIteration(dir, it));
    scenarios.push(summarizeScenario(sc, its));
  }
  return { runId: run.runId, startWall: run.startedWall, endWall: run.endedWall, scenarios };
}

function num(v: number | undefined, digits = 3): string {
  return v === undefined ? 'n/a' : String(Number(v.toFixed(digits)));
}

function sec(s: Span | undefined): string {
  if (!s) return 'n/a';
  const res = s.resolutionMs === undefined ? '' : ` (±${num(s.resolutionMs / 1000, 4)} s)`;
  return `${num(s.ms / 1000, 4)} s${res}`;
}

function params(p: Record<string, unknown>): string {
  const parts = Object.entries(p).map(
    ([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return parts.length ? parts.join(', ') : '(none)';
}

export function formatLegacySummary(s: LegacySummary): string {
  const out: string[] = [
    `run: ${s.runId}`,
    `start: ${new Date(s.startWall).toISOString()}`,
    `end: ${new Date(s.endWall).toISOString()}`,
  ];
  for (const sc of s.scenarios) {
    const t = sc.totals;
    out.push(
      '',
      `== scenario ${sc.scenario}`,
      `start: ${new Date(sc.startWall).toISOString()}`,
      `end: ${new Date(sc.endWall).toISOString()}`,
      `iterations: ${sc.iterations.length} (${sc.parallel ? 'parallel' : 'sequential'})`,
      `params: ${params(sc.params)}`,
    );
    for (const i of sc.iterations) {
      out.push(
        `iteration ${i.iteration}: ${params(i.params)}: peers ${i.peers} up in ${sec(i.peerUp)}; ` +
          `${i.prefixes} prefixes added in ${sec(i.add)}, deleted in ${sec(i.delete)}` +
          (i.notes.length ? ` [${i.notes.join('; ')}]` : ''),
      );
    }
    out.push(
      `totals (wall-clock ${sc.parallel ? 'span from first start to last end' : 'spans added over iterations'}):`,
      `  total XMPP peers: ${t.peers}`,
      `  peer bring-up time: ${sec(t.peerUp)}`,
      `  average time per peer: ${num(t.avgPerPeerMs)} ms`,
      `  peers up per second: ${num(t.peersPerSecond, 2)}`,
      `  total prefixes: ${t.prefixes}`,
      `  total updates (sent by the control node): ${t.updates}`,
      `  prefix add time: ${sec(t.add)}`,
      `  prefix delete time: ${sec(t.delete)}`,
      `  average time per prefix: ${num(t.avgPerPrefixUs, 1)} us`,
      `  average time per update: ${num(t.avgPerUpdateUs, 1)} us`,
      `  prefixes per second: ${num(t.prefixesPerSecond, 1)}`,
      `  updates per second: ${num(t.updatesPerSecond, 1)}`,
      `  deleted prefixes per second: ${num(t.deletedPrefixesPerSecond, 1)}`,
    );
  }
  return out.join('\n') + '\n';
}
