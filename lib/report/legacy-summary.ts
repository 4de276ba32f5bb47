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
 * Per scenario it also states the device's version (contrail-version) and its stats before the first and
 * after the last iteration, when the scenario record has them (legacy _report_stats).
 * Milestones (all peers up, routes complete with pending_updates 0, all withdrawn) are derived from the
 * series, so `netscale summarize` on an archive gives the same figures as the run did.
 *
 * Totals use wall-clock spans, never summed busy time across overlapping work: sequential iterations add
 * their spans; parallel iterations use one span from the first start to the last milestone.
 *
 * A series file that is missing, truncated or unreadable costs only the figures that need it: each such
 * figure (and every total built from it) carries `no measurement (raw/<file> missing)` in `figureNotes`
 * (`... truncated`, `... unreadable: <reason>`) and everything else is still summarized. A truncated file
 * (no final newline: readSeries drops the torn line) still gives its figure when the milestone lies in the
 * points before the cut; only an unreached milestone is reported as lost to the truncation.
 *
 * API:
 * - `legacySummaryFromRun(dir, run)` -> LegacySummary (reads the series files under dir).
 * - `formatLegacySummary(summary)` -> the results_summary.txt text.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readSeries, type SeriesData } from '../measure/series.ts';
import {
  type Milestone,
  type MilestoneSpec,
  allPeersUp,
  allWithdrawn,
  deriveMilestone,
  durationSince,
  routesComplete,
  widenToRequest,
} from '../measure/milestones.ts';
import type { DutStats } from '../dut/dut.ts';
import type { IterationRecord, RunResults, ScenarioRecord } from './run-archive.ts';

/** A wall-clock span: from a mark to a milestone, with how precisely its end is known. */
export interface Span {
  ms: number;
  resolutionMs: number | undefined;
}

/** The per-iteration figures of the summary. */
export type IterationFigure = 'peerUp' | 'add' | 'delete';

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
  /** Why a span is missing (milestone not reached, mark absent) or is less precise than it looks. */
  notes: string[];
  /** Figures that could not be measured because their series file is missing, truncated or unreadable. */
  figureNotes: Partial<Record<IterationFigure, string>>;
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
  /** Totals that could not be computed because an iteration's figure has no measurement, and why. */
  figureNotes: Partial<Record<TotalFigure, string>>;
  /** The device's version string (contrail-version). */
  dutVersion?: string;
  dutStats?: { before?: DutStats; after?: DutStats };
}

export type TotalFigure = Exclude<keyof ScenarioTotals, 'peers' | 'prefixes' | 'updates'>;

/** Which iteration figure each total is built from. */
const TOTAL_SOURCES: Record<TotalFigure, IterationFigure> = {
  peerUp: 'peerUp',
  avgPerPeerMs: 'peerUp',
  peersPerSecond: 'peerUp',
  add: 'add',
  avgPerPrefixUs: 'add',
  avgPerUpdateUs: 'add',
  prefixesPerSecond: 'add',
  updatesPerSecond: 'add',
  delete: 'delete',
  deletedPrefixesPerSecond: 'delete',
};

export interface LegacySummary {
  runId: string;
  startWall: number;
  endWall: number;
  scenarios: ScenarioSummary[];
}

/** What went wrong reading one series file; `text` names the file relative to the run dir. */
interface SeriesProblem {
  kind: 'missing' | 'truncated' | 'unreadable';
  text: string;
}

interface LoadedSeries {
  series: Record<string, SeriesData>;
  problems: Record<string, SeriesProblem>;
}

/** True when the file does not end with a newline: its last line was cut (crash or copy mid-write). */
async function endsTorn(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

function unreadableReason(err: unknown, abs: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code) return code;
  // readSeries names the file and line: keep the line, drop the absolute path the note already names.
  const msg = err instanceof Error ? err.message : String(err);
  const lineMatch = msg.startsWith(`${abs}:`) ? /^(\d+): (.*)$/s.exec(msg.slice(abs.length + 1)) : null;
  if (lineMatch) return `line ${lineMatch[1]}: ${lineMatch[2]}`;
  return msg.startsWith(`${abs}: `) ? msg.slice(abs.length + 2) : msg;
}

async function loadSeries(dir: string, it: IterationRecord): Promise<LoadedSeries> {
  const loaded: LoadedSeries = { series: {}, problems: {} };
  for (const [name, file] of Object.entries(it.series)) {
    const abs = join(dir, file);
    try {
      loaded.series[name] = await readSeries(abs);
    } catch (err) {
      loaded.problems[name] =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? { kind: 'missing', text: `${file} missing` }
          : { kind: 'unreadable', text: `${file} unreadable: ${unreadableReason(err, abs)}` };
      continue;
    }
    if (await endsTorn(abs).catch(() => false))
      loaded.problems[name] = { kind: 'truncated', text: `${file} truncated` };
  }
  return loaded;
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

interface MilestoneOutcome {
  milestone: Milestone | undefined;
  /** Set when the milestone cannot be known from the archive: why (the figure says this instead of a number). */
  lost?: string;
}

/**
 * A milestone from the loaded series. Series that are not archived or whose file is missing or unreadable
 * leave the figure without a measurement; a truncated series does so only if the milestone is not in the
 * points before the cut (after it, the milestone may well have been reached).
 */
function milestoneFrom(loaded: LoadedSeries, spec: MilestoneSpec): MilestoneOutcome {
  const names = Object.keys(spec.when);
  const notArchived = names.filter((n) => !loaded.series[n] && !loaded.problems[n]);
  if (notArchived.length)
    return { milestone: undefined, lost: `no series ${notArchived.join(', ')} archived` };
  const problems = names.flatMap((n) => loaded.problems[n] ?? []);
  const unusable = problems.filter((p) => p.kind !== 'truncated');
  if (unusable.length) return { milestone: undefined, lost: unusable.map((p) => p.text).join('; ') };
  const milestone = deriveMilestone(spec, loaded.series);
  if (milestone || problems.length === 0) return { milestone };
  return { milestone, lost: problems.map((p) => p.text).join('; ') };
}

function noMeasurement(reasons: string[]): string {
  return `no measurement (${reasons.join('; ')})`;
}

/** An iteration's summary and, per figure it could not measure, why (raw, for the totals' notes). */
interface IterationOutcome {
  summary: IterationSummary;
  lost: Partial<Record<IterationFigure, string>>;
}

async function summarizeIteration(dir: string, it: IterationRecord): Promise<IterationOutcome> {
  const loaded = await loadSeries(dir, it);
  const peers = it.expected.peers ?? 0;
  const prefixes = it.expected.prefixes ?? 0;
  const agents = it.expected.agents ?? peers;
  const notes: string[] = [];
  const lost: IterationOutcome['lost'] = {};
  const start = it.marks.bring_up_start ?? it.marks.start ?? it.start;
  const addTrigger = it.marks.add_trigger;
  const addStart = it.marks.add_start ?? addTrigger;
  const deleteTrigger = it.marks.delete_trigger;

  /** spec is undefined when the mark its milestone counts from was never set. */
  const measure = (
    figure: IterationFigure,
    label: string,
    mark: number | undefined,
    spec: MilestoneSpec | undefined,
    requestSeries: string,
  ): { span: Span | undefined; milestone: Milestone | undefined } => {
    if (!spec) return { span: span(label, mark, undefined, notes), milestone: undefined };
    const outcome = milestoneFrom(loaded, spec);
    if (outcome.lost !== undefined) {
      lost[figure] = outcome.lost;
      return { span: undefined, milestone: undefined };
    }
    // The lower bound moves back to when the request before the milestone was sent; without that series
    // the bracket is the samples' alone, narrower than the truth, so the notes say so.
    const problem = loaded.problems[requestSeries];
    if (outcome.milestone && problem)
      notes.push(`${label}: resolution from the samples only (${problem.text})`);
    const milestone = widenToRequest(outcome.milestone, loaded.series[requestSeries]);
    return { span: span(label, mark, milestone, notes), milestone };
  };

  const up = measure(
    'peerUp',
    'peer bring-up',
    start,
    { ...allPeersUp(peers), after: start },
    'peers_request_ms',
  );
  const add = measure(
    'add',
    'prefix add',
    addStart,
    addTrigger === undefined ? undefined : routesComplete(prefixes, addTrigger),
    'routes_request_ms',
  );
  const del = measure(
    'delete',
    'prefix delete',
    deleteTrigger,
    deleteTrigger === undefined ? undefined : allWithdrawn(deleteTrigger),
    'routes_request_ms',
  );
  const figureNotes: IterationSummary['figureNotes'] = {};
  for (const [figure, reason] of Object.entries(lost) as [IterationFigure, string][])
    figureNotes[figure] = noMeasurement([reason]);
  const summary: IterationSummary = {
    iteration: it.iteration,
    params: it.params,
    peers,
    prefixes,
    agents,
    updates: it.expected.updates ?? prefixes * agents,
    startWall: it.startWall,
    endWall: it.endWall,
    peerUp: up.span,
    add: add.span,
    delete: del.span,
    notes,
    figureNotes,
    marks: { start, addStart, deleteTrigger },
    milestones: { allPeersUp: up.milestone, routesComplete: add.milestone, allWithdrawn: del.milestone },
  };
  return { summary, lost };
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

function summarizeScenario(sc: ScenarioRecord, outcomes: IterationOutcome[]): ScenarioSummary {
  const iterations = outcomes.map((o) => o.summary);
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
  const totals: ScenarioTotals = {
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
  };
  const figureNotes: ScenarioSummary['figureNotes'] = {};
  for (const [total, source] of Object.entries(TOTAL_SOURCES) as [TotalFigure, IterationFigure][]) {
    const reasons = outcomes.flatMap((o) => o.lost[source] ?? []);
    if (totals[total] === undefined && reasons.length) figureNotes[total] = noMeasurement(reasons);
  }
  return {
    scenario: sc.scenario,
    parallel: sc.parallel,
    params: sc.params,
    startWall: Math.min(sc.startWall, ...iterations.map((i) => i.startWall)),
    endWall: Math.max(sc.endWall, ...iterations.map((i) => i.endWall)),
    iterations,
    totals,
    figureNotes,
    ...(sc.dutVersion === undefined ? {} : { dutVersion: sc.dutVersion }),
    ...(sc.dutStats === undefined ? {} : { dutStats: sc.dutStats }),
  };
}

export async function legacySummaryFromRun(dir: string, run: RunResults): Promise<LegacySummary> {
  const scenarios: ScenarioSummary[] = [];
  for (const sc of run.scenarios) {
    const its: IterationOutcome[] = [];
    for (const it of sc.iterations) its.push(await summarizeIteration(dir, it));
    scenarios.push(summarizeScenario(sc, its));
  }
  return { runId: run.runId, startWall: run.startedWall, endWall: run.endedWall, scenarios };
}

function num(v: number | undefined, digits = 3): string {
  return v === undefined ? 'n/a' : String(Number(v.toFixed(digits)));
}

function sec(s: Span | undefined, note?: string): string {
  if (note !== undefined) return note;
  if (!s) return 'n/a';
  const res = s.resolutionMs === undefined ? '' : ` (±${num(s.resolutionMs / 1000, 4)} s)`;
  return `${num(s.ms / 1000, 4)} s${res}`;
}

/** "added in 0.25 s (±0.05 s)", or "added: no measurement (...)" when the figure could not be measured. */
function inTime(verb: string, s: Span | undefined, note: string | undefined): string {
  return note === undefined ? `${verb} in ${sec(s)}` : `${verb}: ${note}`;
}

const MIB = 1024 * 1024;

/** One line of the device's stats: its process, its host, its peers and routes; what could not be read. */
function dutStatsLine(d: DutStats): string {
  const parts: string[] = [];
  const r = d.resources;
  if (r) {
    const res = `±${num(r.cpuResolution, 1)} %`;
    parts.push(
      `process ${r.process.pid} cpu ${num(r.process.cpu, 1)} % (${res}, 100 = one core), rss ${num(r.process.rss / MIB, 1)} MiB`,
    );
    const mem =
      r.host.memUsed === undefined
        ? ''
        : `, memory used ${num(r.host.memUsed / MIB, 1)} of ${num((r.host.memTotal ?? NaN) / MIB, 1)} MiB`;
    parts.push(`host cpu ${num(r.host.cpu, 1)} %${r.host.cores ? ` of ${r.host.cores} cores` : ''}${mem}`);
  }
  if (d.peersUp !== undefined) parts.push(`peers up ${d.peersUp}`);
  if (d.routes)
    parts.push(
      `prefixes ${d.routes.prefixes} in ${d.routes.tables} tables, pending updates ${d.routes.pendingUpdates}`,
    );
  if (d.errors.length) parts.push(`not read: ${d.errors.join('; ')}`);
  return `${new Date(d.wall).toISOString()}: ${parts.join('; ')}`;
}

/** The version on one line, or indented under its label when the tool prints a table. */
function versionLines(version: string): string[] {
  const lines = version.split('\n').filter((l) => l.trim() !== '');
  return lines.length <= 1
    ? [`dut version: ${lines[0] ?? ''}`]
    : ['dut version:', ...lines.map((l) => `  ${l}`)];
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
    const n = sc.figureNotes;
    const or = (figure: TotalFigure, text: string) => n[figure] ?? text;
    out.push(
      '',
      `== scenario ${sc.scenario}`,
      `start: ${new Date(sc.startWall).toISOString()}`,
      `end: ${new Date(sc.endWall).toISOString()}`,
      `iterations: ${sc.iterations.length} (${sc.parallel ? 'parallel' : 'sequential'})`,
      `params: ${params(sc.params)}`,
    );
    if (sc.dutVersion !== undefined) out.push(...versionLines(sc.dutVersion));
    if (sc.dutStats?.before) out.push(`dut before: ${dutStatsLine(sc.dutStats.before)}`);
    if (sc.dutStats?.after) out.push(`dut after: ${dutStatsLine(sc.dutStats.after)}`);
    for (const i of sc.iterations) {
      out.push(
        `iteration ${i.iteration}: ${params(i.params)}: peers ${i.peers} ${inTime('up', i.peerUp, i.figureNotes.peerUp)}; ` +
          `${i.prefixes} prefixes ${inTime('added', i.add, i.figureNotes.add)}, ` +
          `${inTime('deleted', i.delete, i.figureNotes.delete)}` +
          (i.notes.length ? ` [${i.notes.join('; ')}]` : ''),
      );
    }
    out.push(
      `totals (wall-clock ${sc.parallel ? 'span from first start to last end' : 'spans added over iterations'}):`,
      `  total XMPP peers: ${t.peers}`,
      `  peer bring-up time: ${sec(t.peerUp, n.peerUp)}`,
      `  average time per peer: ${or('avgPerPeerMs', `${num(t.avgPerPeerMs)} ms`)}`,
      `  peers up per second: ${or('peersPerSecond', num(t.peersPerSecond, 2))}`,
      `  total prefixes: ${t.prefixes}`,
      `  total updates (sent by the control node): ${t.updates}`,
      `  prefix add time: ${sec(t.add, n.add)}`,
      `  prefix delete time: ${sec(t.delete, n.delete)}`,
      `  average time per prefix: ${or('avgPerPrefixUs', `${num(t.avgPerPrefixUs, 1)} us`)}`,
      `  average time per update: ${or('avgPerUpdateUs', `${num(t.avgPerUpdateUs, 1)} us`)}`,
      `  prefixes per second: ${or('prefixesPerSecond', num(t.prefixesPerSecond, 1))}`,
      `  updates per second: ${or('updatesPerSecond', num(t.updatesPerSecond, 1))}`,
      `  deleted prefixes per second: ${or('deletedPrefixesPerSecond', num(t.deletedPrefixesPerSecond, 1))}`,
    );
  }
  return out.join('\n') + '\n';
}
