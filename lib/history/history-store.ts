/**
 * The run history: every catalogue metric of every archived run, one value per run and iteration shape,
 * kept in append-only JSONL files so a CI cache of it survives the run archives it was built from.
 *
 * Layout under `<reports root>/history/` (root: NETSCALE_REPORTS_DIR or ./reports):
 *
 *   runs.jsonl                   one HistoryRun per appended run {runId, wall, lab, dutVersion, ...},
 *                                written after the run's records
 *   <lab>/<scenario>.jsonl       one HistoryRecord per line: one run x iteration shape x metric
 *                                {key {lab, scenario, shape, metric}, runId, wall, value, unit,
 *                                 resolution?, samples?, dutVersion?, netscaleVersion, gitCommit?}
 *
 * (<lab> and <scenario> with characters other than letters, digits, '.', '-', '_' replaced by '_'.)
 * Lines are only ever appended, and only what the history lacks: appending a run again adds nothing,
 * unless the run gained scenarios since (Vitest workers sharing one run id finish at different times)
 * or its last append was interrupted; then the missing records are added. A record repeated by two
 * concurrent appenders is read once.
 * A line that does not parse (e.g. torn by a crash) is skipped and named in `warnings`.
 *
 * API:
 * - `const history = await HistoryStore.open(root?)` reads the whole history (root: reportsRoot()).
 * - `await history.appendRun(runDir)` -> {runId, added}: the records of one archived run (run-archive.ts
 *   loadRun) that the history lacks; appending the same run twice adds nothing.
 * - `await history.catchUp()` -> {appended, skipped}: appends every run under <root>/runs/ not yet listed
 *   in runs.jsonl; `skipped` names the archives that could not be read, and why.
 * - `await history.appendRecords(run, records)`: appends records built elsewhere (tests, recordsFromRun).
 * - `history.runs()` (run order), `history.run(runId)`, `history.recordsOf(runId)`,
 *   `history.series(key)` (run order), `history.comparable(key, before?)`: the series of runs that came
 *   before run `before` (all of it when absent).
 * - `recordsFromRun(run, provenance)`: the records of one loaded run; `provenanceOf(run)`.
 *
 * Run order is the run's start (wall clock), then the run id. A record's `wall` is its run's start.
 * When one run has several iterations of one shape (repeats), the record holds their median and
 * `samples` says how many; its resolution is the largest of theirs.
 */
import { appendFile, mkdir, open, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import { loadRun, reportsRoot, type RunResults } from '../report/run-archive.ts';
import { isMetricName } from '../thresholds/metric-catalogue.ts';
import type { BaseUnit } from '../thresholds/quantity.ts';
import { iterationShape, keyId, type HistoryKey } from './history-key.ts';
import { median } from './robust-stats.ts';

export interface HistoryRecord {
  key: HistoryKey;
  runId: string;
  /** ISO time of the run's start. */
  wall: string;
  value: number;
  unit: BaseUnit;
  resolution?: number;
  /** Iterations of this shape whose median `value` is, when more than one. */
  samples?: number;
  dutVersion?: string;
  netscaleVersion: string;
  /** Commit of the specs that ran (absent when they were not in a git repository). */
  gitCommit?: string;
}

export interface HistoryRun {
  runId: string;
  wall: string;
  lab: string;
  dutVersion?: string;
  netscaleVersion: string;
  gitCommit?: string;
}

export interface Provenance {
  netscaleVersion: string;
  gitCommit?: string;
}

const BASE_UNITS = ['s', '%', 'count', '/s', 'bit/s', 'B'] as const satisfies readonly BaseUnit[];

const keySchema = z.object({ lab: z.string(), scenario: z.string(), shape: z.string(), metric: z.string() });
const runSchema = z.object({
  runId: z.string().min(1),
  wall: z.iso.datetime(),
  lab: z.string(),
  dutVersion: z.string().optional(),
  netscaleVersion: z.string(),
  gitCommit: z.string().optional(),
});
const recordSchema = runSchema.omit({ lab: true }).extend({
  key: keySchema,
  value: z.number(),
  unit: z.enum(BASE_UNITS),
  resolution: z.number().nonnegative().optional(),
  samples: z.number().int().positive().optional(),
});

const UNKNOWN_LAB = 'unknown';
const RUNS_FILE = 'runs.jsonl';

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '_');
}

function runOrder(a: { wall: string; runId: string }, b: { wall: string; runId: string }): number {
  const byWall = Date.parse(a.wall) - Date.parse(b.wall);
  return byWall !== 0 ? byWall : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}

let gitCommitOfCwd: Promise<string | undefined> | undefined;

/** `git rev-parse HEAD` in the working directory, once per process; undefined outside a repository. */
function currentGitCommit(): Promise<string | undefined> {
  gitCommitOfCwd ??= execa('git', ['rev-parse', 'HEAD'], { reject: false }).then((r) =>
    r.exitCode === 0 && /^[0-9a-f]{7,64}$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined,
  );
  return gitCommitOfCwd;
}

/**
 * Versions that produced a run: its own run.json facts when the session recorded them (netscale_version,
 * git_commit), else this checkout's, which is right when the history is appended at the end of the run.
 */
export async function provenanceOf(run: RunResults): Promise<Provenance> {
  const env = run.environment;
  const gitCommit = env.git_commit ?? (await currentGitCommit());
  return {
    netscaleVersion: env.netscale_version ?? packageJson.version,
    ...(gitCommit ? { gitCommit } : {}),
  };
}

export function historyRunOf(run: RunResults, provenance: Provenance): HistoryRun {
  const dutVersion = run.environment.dut_version;
  return {
    runId: run.runId,
    wall: new Date(run.startedWall).toISOString(),
    lab: run.environment.lab || UNKNOWN_LAB,
    ...(dutVersion ? { dutVersion } : {}),
    ...provenance,
  };
}

export function recordsFromRun(run: RunResults, provenance: Provenance): HistoryRecord[] {
  const head = historyRunOf(run, provenance);
  const groups = new Map<
    string,
    { key: HistoryKey; values: number[]; unit: BaseUnit; res: number[]; dutVersion: string | undefined }
  >();
  for (const sc of run.scenarios) {
    // A run may measure several devices (the daemon suites): each record carries its scenario's own.
    const dutVersion = sc.dutVersion ?? head.dutVersion;
    for (const it of sc.iterations) {
      const shape = iterationShape(it.params);
      for (const [metric, m] of Object.entries(it.measurements)) {
        // Only catalogue metrics: the catalogue says which way is better, which a verdict needs.
        if (!isMetricName(metric) || !Number.isFinite(m.value)) continue;
        const key: HistoryKey = { lab: head.lab, scenario: sc.scenario, shape, metric };
        const id = keyId(key);
        const group = groups.get(id) ?? { key, values: [], unit: m.unit, res: [], dutVersion };
        if (group.unit !== m.unit) {
          throw new Error(
            `run ${run.runId}, scenario ${sc.scenario}, iteration ${it.iteration}: ${metric} in ${m.unit}, ` +
              `expected ${group.unit} like the other iterations of shape ${shape}`,
          );
        }
        group.values.push(m.value);
        if (m.resolution !== undefined && Number.isFinite(m.resolution)) group.res.push(m.resolution);
        groups.set(id, group);
      }
    }
  }
  return [...groups.values()].map(({ key, values, unit, res, dutVersion }) => ({
    key,
    runId: head.runId,
    wall: head.wall,
    value: median(values),
    unit,
    ...(res.length ? { resolution: Math.max(...res) } : {}),
    ...(values.length > 1 ? { samples: values.length } : {}),
    ...(dutVersion ? { dutVersion } : {}),
    netscaleVersion: head.netscaleVersion,
    ...(head.gitCommit ? { gitCommit: head.gitCommit } : {}),
  }));
}

/** Appends lines to a file, starting on a fresh line if the last write was torn. */
async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  let lead = '';
  const handle = await open(file, 'a+');
  try {
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
  } finally {
    await handle.close();
  }
  await appendFile(file, lead + lines.map((l) => l + '\n').join(''));
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export class HistoryStore {
  readonly warnings: string[] = [];
  private readonly runIndex = new Map<string, HistoryRun>();
  /** Records by keyId; sorted into run order when read (loading appends them in file order). */
  private readonly byKey = new Map<string, HistoryRecord[]>();
  private readonly unsorted = new Set<string>();
  /** Records by run id, then keyId. */
  private readonly byRun = new Map<string, Map<string, HistoryRecord>>();
  /** Serialises appends of this process, so two appends of one run cannot both pass the check. */
  private appending: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The reports root: history in <root>/history, run archives in <root>/runs. */
    readonly root: string,
  ) {}

  get dir(): string {
    return join(this.root, 'history');
  }

  static async open(root = reportsRoot()): Promise<HistoryStore> {
    const store = new HistoryStore(root);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    for (const [n, line] of (await readLines(join(this.dir, RUNS_FILE))).entries()) {
      const run = this.parse(runSchema, line, `${join(this.dir, RUNS_FILE)}:${n + 1}`);
      if (run && !this.runIndex.has(run.runId)) this.runIndex.set(run.runId, run);
    }
    const entries = await readdir(this.dir, { recursive: true }).catch(() => [] as string[]);
    for (const rel of entries.filter((e) => e.endsWith('.jsonl') && e !== RUNS_FILE).sort()) {
      const file = join(this.dir, rel);
      for (const [n, line] of (await readLines(file)).entries()) {
        const record = this.parse(recordSchema, line, `${file}:${n + 1}`);
        if (record) this.remember(record);
      }
    }
  }

  private parse<T>(schema: z.ZodType<T>, line: string, where: string): T | undefined {
    if (!line.trim()) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.warnings.push(`${where}: skipped, not JSON`);
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      this.warnings.push(`${where}: skipped, ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
      return undefined;
    }
    return parsed.data;
  }

  private has(record: HistoryRecord): boolean {
    return this.byRun.get(record.runId)?.has(keyId(record.key)) ?? false;
  }

  /** Adds a record to the in-memory indexes unless its run already has one for its key. */
  private remember(record: HistoryRecord): void {
    if (this.has(record)) return;
    const id = keyId(record.key);
    const ofRun = this.byRun.get(record.runId) ?? new Map<string, HistoryRecord>();
    this.byRun.set(record.runId, ofRun.set(id, record));
    const series = this.byKey.get(id) ?? [];
    this.byKey.set(id, series);
    series.push(record);
    this.unsorted.add(id);
  }

  runs(): HistoryRun[] {
    return [...this.runIndex.values()].sort(runOrder);
  }

  run(runId: string): HistoryRun | undefined {
    return this.runIndex.get(runId);
  }

  recordsOf(runId: string): HistoryRecord[] {
    return [...(this.byRun.get(runId)?.values() ?? [])];
  }

  series(key: HistoryKey): HistoryRecord[] {
    const id = keyId(key);
    const series = this.byKey.get(id) ?? [];
    if (this.unsorted.delete(id)) series.sort(runOrder);
    return [...series];
  }

  comparable(key: HistoryKey, before?: string): HistoryRecord[] {
    const series = this.series(key);
    if (before === undefined) return series;
    const at = this.runIndex.get(before) ?? this.recordsOf(before)[0];
    if (!at) {
      throw new Error(`run ${before}: not in the history ${this.dir} (expected it in ${RUNS_FILE})`);
    }
    return series.filter((r) => r.runId !== before && runOrder(r, at) < 0);
  }

  appendRun(runDir: string): Promise<{ runId: string; added: number }> {
    return this.serialised(async () => {
      const run = await loadRun(runDir);
      const provenance = await provenanceOf(run);
      const added = await this.write(historyRunOf(run, provenance), recordsFromRun(run, provenance));
      return { runId: run.runId, added };
    });
  }

  appendRecords(
    run: HistoryRun,
    records: readonly HistoryRecord[],
  ): Promise<{ runId: string; added: number }> {
    return this.serialised(async () => {
      const stray = records.find((r) => r.runId !== run.runId);
      if (stray) throw new Error(`history: record of run ${stray.runId} appended with run ${run.runId}`);
      return { runId: run.runId, added: await this.write(run, records) };
    });
  }

  async catchUp(): Promise<{ appended: string[]; skipped: { dir: string; reason: string }[] }> {
    const runsDir = join(this.root, 'runs');
    const names = (await readdir(runsDir, { withFileTypes: true }).catch(() => []))
      .filter((d) => d.isDirectory() && !this.runIndex.has(d.name))
      .map((d) => d.name)
      .sort();
    const appended: string[] = [];
    const skipped: { dir: string; reason: string }[] = [];
    for (const name of names) {
      const dir = join(runsDir, name);
      try {
        const { runId } = await this.appendRun(dir);
        appended.push(runId);
      } catch (err) {
        // One broken or half-written archive must not stop the others from reaching the history.
        skipped.push({ dir, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return { appended, skipped };
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.appending.then(task, task);
    this.appending = next.catch(() => undefined);
    return next;
  }

  private async write(run: HistoryRun, records: readonly HistoryRecord[]): Promise<number> {
    const byFile = new Map<string, HistoryRecord[]>();
    const seen = new Set<string>();
    for (const record of records) {
      // Already in the history: appended before, or left by an interrupted append of this run.
      if (this.has(record) || seen.has(keyId(record.key))) continue;
      seen.add(keyId(record.key));
      const file = join(this.dir, slug(record.key.lab), `${slug(record.key.scenario)}.jsonl`);
      byFile.set(file, [...(byFile.get(file) ?? []), record]);
    }
    for (const [file, list] of byFile) {
      await mkdir(dirname(file), { recursive: true });
      await appendLines(
        file,
        list.map((r) => JSON.stringify(r)),
      );
      list.forEach((r) => this.remember(r));
    }
    if (!this.runIndex.has(run.runId)) {
      await mkdir(this.dir, { recursive: true });
      await appendLines(join(this.dir, RUNS_FILE), [JSON.stringify(run)]);
      this.runIndex.set(run.runId, run);
    }
    return seen.size;
  }
}
