/**
 * The run archive: everything one run measured, machine-readable, in reports/runs/<run-id>/
 * (root: NETSCALE_REPORTS_DIR or ./reports).
 *
 *   run.json                               run id, start, environment (lab, DUT version)
 *   scenarios/<scenario>.json              one ScenarioRecord per scenario (written when it finishes)
 *   raw/<scenario>/<iteration>/<name>.ndjson  raw series, streamed as points arrive (lib/measure/series.ts)
 *   results.json, results.csv              every scenario, iteration, measurement and threshold verdict
 *   results_summary.txt                    the legacy harness's summary figures (legacy-summary.ts)
 *
 * Each scenario writes its own file and the run-level files are regenerated from all of them, so
 * several Vitest workers (one spec file each) share one run when they share NETSCALE_RUN_ID.
 *
 * API:
 * - `const run = await RunArchive.open({ runId?, root?, environment? })`; `run.dir`, `run.runId`;
 *   `await run.addEnvironment({ facts })` merges more facts into run.json; `await run.addDutVersion(v)`
 *   adds a device version to its dut_version list and returns the list.
 * - `const sc = run.scenario(name, { parallel, params, dutVersion? })`
 *   - `sc.series(iteration, name, unit, meta?)` -> Series streaming to raw/...; recorded in that iteration.
 *   - `sc.recordIteration(rec)`: IterationInput {iteration, params, start, end (monotonic ms), startWall,
 *     endWall, marks? {name: monotonic ms}, expected? {peers, prefixes, agents...},
 *     measurements {metric: {value, unit, resolution?}}, verdicts? ThresholdResult[]}.
 *   - `sc.recordDutStats('before' | 'after', stats)`: the device read once before the first iteration and
 *     once after the last (DutStats, lib/dut/dut.ts).
 *   - `sc.addVerdicts(results)` for scenario-level thresholds; `await sc.finish()` closes its series,
 *     writes scenarios/<name>.json and the run-level files.
 * - `writeRunFiles(dir)` regenerates results.json, results.csv, results_summary.txt from the scenario files.
 * - `loadRun(dir)` -> RunResults (run.json + scenario files), `reportsRoot()`.
 * Text passes through scrub(): no secret reaches the archive.
 */
import type { DutStats } from '../dut/dut.ts';
import { generateRunId } from '../run/run-id.ts';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Series } from '../measure/series.ts';
import type { BaseUnit } from '../thresholds/quantity.ts';
import type { ThresholdResult } from '../thresholds/threshold.ts';
import { stringify } from 'csv-stringify/sync';
import { scrub } from './scrub.ts';
import { formatLegacySummary, legacySummaryFromRun } from './legacy-summary.ts';

export interface ArchivedMeasurement {
  value: number;
  unit: BaseUnit;
  resolution?: number;
}

export interface IterationRecord {
  /** 1-based. */
  iteration: number;
  params: Record<string, unknown>;
  /** Monotonic ms (lib/clock.ts) of the iteration's start and end. */
  start: number;
  end: number;
  /** Epoch ms, for display. */
  startWall: number;
  endWall: number;
  /** Named instants on the monotonic clock, e.g. add_trigger, delete_trigger. */
  marks: Record<string, number>;
  /** Expected counts, e.g. peers, prefixes, agents. */
  expected: Record<string, number>;
  measurements: Record<string, ArchivedMeasurement>;
  verdicts: ThresholdResult[];
  /** Series name -> NDJSON file relative to the run dir. */
  series: Record<string, string>;
}

export type IterationInput = Omit<IterationRecord, 'series' | 'marks' | 'expected' | 'verdicts'> &
  Partial<Pick<IterationRecord, 'marks' | 'expected' | 'verdicts'>>;

export interface ScenarioRecord {
  scenario: string;
  parallel: boolean;
  params: Record<string, unknown>;
  startWall: number;
  endWall: number;
  iterations: IterationRecord[];
  /** Scenario-level threshold verdicts (e.g. over all iterations). */
  verdicts: ThresholdResult[];
  /** The device under test's version string (contrail-version). */
  dutVersion?: string;
  /** The device read once before the first iteration and once after the last. */
  dutStats?: { before?: DutStats; after?: DutStats };
}

export interface RunInfo {
  runId: string;
  startedWall: number;
  environment: Record<string, string>;
}

export interface RunResults extends RunInfo {
  endedWall: number;
  scenarios: ScenarioRecord[];
}

/** Between the device versions of run.json's dut_version when a run measured more than one. */
export const DUT_VERSION_SEPARATOR = '; ';

export function reportsRoot(): string {
  return process.env.NETSCALE_REPORTS_DIR ?? 'reports';
}

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '_');
}

async function writeText(file: string, text: string): Promise<void> {
  await writeFile(file, scrub(text));
}

export class RunArchive {
  private constructor(
    readonly runId: string,
    readonly dir: string,
  ) {}

  static async open(
    opts: { runId?: string; root?: string; environment?: Record<string, string> } = {},
  ): Promise<RunArchive> {
    const runId = opts.runId ?? process.env.NETSCALE_RUN_ID ?? generateRunId();
    const dir = join(opts.root ?? reportsRoot(), 'runs', runId);
    await mkdir(join(dir, 'scenarios'), { recursive: true });
    // Workers sharing a run id keep the first start and merge environment facts.
    const previous = await readJson<RunInfo>(join(dir, 'run.json'));
    const info: RunInfo = {
      runId,
      startedWall: previous?.startedWall ?? Date.now(),
      environment: { ...previous?.environment, ...opts.environment },
    };
    await writeText(join(dir, 'run.json'), JSON.stringify(info, null, 2) + '\n');
    return new RunArchive(runId, dir);
  }

  /** Adds facts to run.json's environment (e.g. the lab's name, known once it is open). */
  async addEnvironment(facts: Record<string, string>): Promise<void> {
    await this.updateEnvironment((env) => ({ ...env, ...facts }));
  }

  /**
   * Adds a device version to run.json's dut_version, which lists every distinct one of the run (a run of
   * the daemon suites measures three daemons), joined by DUT_VERSION_SEPARATOR; returns that list.
   */
  async addDutVersion(version: string): Promise<string> {
    let joined = version;
    await this.updateEnvironment((env) => {
      const known = env.dut_version ? env.dut_version.split(DUT_VERSION_SEPARATOR) : [];
      joined = [...new Set([...known, version])].join(DUT_VERSION_SEPARATOR);
      return { ...env, dut_version: joined };
    });
    return joined;
  }

  private async updateEnvironment(
    change: (env: Record<string, string>) => Record<string, string>,
  ): Promise<void> {
    const file = join(this.dir, 'run.json');
    const info = await readJson<RunInfo>(file);
    if (!info) throw new Error(`${file}: missing (the run archive was not opened here)`);
    info.environment = change(info.environment);
    await writeText(file, JSON.stringify(info, null, 2) + '\n');
  }

  scenario(
    name: string,
    opts: { parallel?: boolean; params?: Record<string, unknown>; dutVersion?: string } = {},
  ): ScenarioRecorder {
    const recorder = new ScenarioRecorder(this.dir, name, opts.parallel ?? false, opts.params ?? {});
    if (opts.dutVersion !== undefined) recorder.setDutVersion(opts.dutVersion);
    return recorder;
  }
}

export class ScenarioRecorder {
  private readonly record: ScenarioRecord;
  private readonly seriesByIteration = new Map<number, Series[]>();

  constructor(
    private readonly runDir: string,
    name: string,
    parallel: boolean,
    params: Record<string, unknown>,
  ) {
    this.record = {
      scenario: name,
      parallel,
      params,
      startWall: Date.now(),
      endWall: Date.now(),
      iterations: [],
      verdicts: [],
    };
  }

  get name(): string {
    return this.record.scenario;
  }

  series(iteration: number, name: string, unit: string, meta: Record<string, unknown> = {}): Series {
    const file = join(
      this.runDir,
      'raw',
      slug(this.record.scenario),
      String(iteration),
      `${slug(name)}.ndjson`,
    );
    const s = new Series(name, unit, { file, meta: { scenario: this.record.scenario, iteration, ...meta } });
    const list = this.seriesByIteration.get(iteration) ?? [];
    list.push(s);
    this.seriesByIteration.set(iteration, list);
    return s;
  }

  recordIteration(rec: IterationInput): IterationRecord {
    const series = Object.fromEntries(
      (this.seriesByIteration.get(rec.iteration) ?? []).map((s) => [s.name, relative(this.runDir, s.file!)]),
    );
    const full: IterationRecord = { marks: {}, expected: {}, verdicts: [], ...rec, series };
    this.record.iterations = this.record.iterations.filter((i) => i.iteration !== rec.iteration);
    this.record.iterations.push(full);
    this.record.iterations.sort((a, b) => a.iteration - b.iteration);
    return full;
  }

  setDutVersion(version: string): void {
    this.record.dutVersion = version;
  }

  recordDutStats(when: 'before' | 'after', stats: DutStats): void {
    this.record.dutStats = { ...this.record.dutStats, [when]: stats };
  }

  addVerdicts(results: ThresholdResult[]): void {
    this.record.verdicts.push(...results);
  }

  toJSON(): ScenarioRecord {
    return this.record;
  }

  async finish(): Promise<ScenarioRecord> {
    await Promise.all([...this.seriesByIteration.values()].flat().map((s) => s.close()));
    this.record.endWall = Date.now();
    await writeText(
      join(this.runDir, 'scenarios', `${slug(this.record.scenario)}.json`),
      JSON.stringify(this.record, null, 2) + '\n',
    );
    await writeRunFiles(this.runDir);
    return this.record;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

export async function loadRun(dir: string): Promise<RunResults> {
  const info = await readJson<RunInfo>(join(dir, 'run.json'));
  if (!info) throw new Error(`${dir}: not a run archive (expected ${join(dir, 'run.json')})`);
  const files = (await readdir(join(dir, 'scenarios')).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const scenarios: ScenarioRecord[] = [];
  for (const f of files) scenarios.push((await readJson<ScenarioRecord>(join(dir, 'scenarios', f)))!);
  scenarios.sort((a, b) => a.startWall - b.startWall);
  const endedWall = Math.max(info.startedWall, ...scenarios.map((s) => s.endWall));
  return { ...info, endedWall, scenarios };
}

const CSV_COLUMNS = [
  'run_id',
  'scenario',
  'iteration',
  'metric',
  'value',
  'unit',
  'resolution',
  'threshold',
  'pass',
  'message',
] as const;

export function resultsCsv(run: RunResults): string {
  const rows: unknown[][] = [];
  for (const sc of run.scenarios) {
    const emit = (iteration: number | '', metric: string, m?: ArchivedMeasurement, v?: ThresholdResult) =>
      rows.push([
        run.runId,
        sc.scenario,
        iteration,
        metric,
        m?.value ?? v?.measured,
        m?.unit ?? v?.unit,
        m?.resolution ?? v?.resolution,
        v ? `${v.op} ${v.limit}` : '',
        v ? v.pass : '',
        v?.message ?? '',
      ]);
    for (const it of sc.iterations) {
      const verdicts = new Map(it.verdicts.map((v) => [v.metric, v]));
      for (const [metric, m] of Object.entries(it.measurements))
        emit(it.iteration, metric, m, verdicts.get(metric));
      // Failed thresholds without a measurement still get a row.
      for (const v of it.verdicts)
        if (!(v.metric in it.measurements)) emit(it.iteration, v.metric, undefined, v);
    }
    for (const v of sc.verdicts) emit('', v.metric, undefined, v);
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], cast: { boolean: String } });
}

export async function writeRunFiles(dir: string): Promise<RunResults> {
  const run = await loadRun(dir);
  await writeText(join(dir, 'results.json'), JSON.stringify(run, null, 2) + '\n');
  await writeText(join(dir, 'results.csv'), resultsCsv(run));
  await writeText(
    join(dir, 'results_summary.txt'),
    formatLegacySummary(await legacySummaryFromRun(dir, run)),
  );
  return run;
}
