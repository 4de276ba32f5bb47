import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { HistoryStore } from '../../lib/history/history-store.ts';
import { RunArchive } from '../../lib/report/run-archive.ts';
import { iterationShape } from '../../lib/history/history-key.ts';
import {
  DAY,
  KEY,
  T0,
  archiveNight,
  nightId,
  removeTempRoots,
  tempReportsRoot,
} from './synthetic-history.ts';

afterAll(removeTempRoots);

const SHAPE = { instances: 2, agents: 10, routes: 100, servers: 1 };

function night(value: number, extra: Record<string, { value: number; unit: 's' | '/s' }> = {}) {
  return {
    'route-scale': [
      {
        params: { run: 1, ...SHAPE },
        measurements: { prefix_add_time: { value, unit: 's' as const, resolution: 0.05 }, ...extra },
      },
    ],
  };
}

async function lineCount(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
}

describe('history store', () => {
  it('appends one record per run, shape and metric, with where it came from', async () => {
    const root = await tempReportsRoot();
    const dir = await archiveNight(root, 0, {
      environment: { lab: 'lab-a', dut_version: '1.0' },
      scenarios: night(8.1, { not_a_catalogue_metric: { value: 1, unit: 's' } }),
    });
    const history = await HistoryStore.open(root);
    expect(await history.appendRun(dir)).toEqual({ runId: nightId(0), added: 1 });

    const head = await execa('git', ['rev-parse', 'HEAD'], { reject: false });
    const gitCommit = head.exitCode === 0 ? head.stdout.trim() : undefined;
    expect(history.series(KEY)).toEqual([
      {
        key: {
          lab: 'lab-a',
          scenario: 'route-scale',
          shape: 'instances=2,agents=10,routes=100,servers=1',
          metric: 'prefix_add_time',
        },
        runId: nightId(0),
        wall: new Date(T0).toISOString(),
        value: 8.1,
        unit: 's',
        resolution: 0.05,
        dutVersion: '1.0',
        netscaleVersion: packageJson.version,
        ...(gitCommit ? { gitCommit } : {}),
      },
    ]);
    expect(history.runs()).toEqual([
      expect.objectContaining({ runId: nightId(0), lab: 'lab-a', dutVersion: '1.0' }),
    ]);
    // The layout the header of history-store.ts describes.
    expect(await lineCount(join(root, 'history', 'runs.jsonl'))).toBe(1);
    expect(await lineCount(join(root, 'history', 'lab-a', 'route-scale.jsonl'))).toBe(1);
  });

  it("a run of several devices lists each version once, and each record carries its own scenario's", async () => {
    const root = await tempReportsRoot();
    const run = await RunArchive.open({ root, runId: 'daemons-1', environment: { lab: 'lab-a' } });
    const versions = ['gobgp 3.10.0', 'bird 2.0.12', 'gobgp 3.10.0'];
    const lists: string[] = [];
    for (const [i, version] of versions.entries()) {
      lists.push(await run.addDutVersion(version));
      const sc = run.scenario(`route-scale-${version.split(' ')[0]}-${i}`, { dutVersion: version });
      sc.recordIteration({
        iteration: 1,
        params: SHAPE,
        start: 0,
        end: 500,
        startWall: Date.now(),
        endWall: Date.now(),
        measurements: { prefix_add_time: { value: 1 + i, unit: 's' } },
      });
      await sc.finish();
    }
    expect(lists).toEqual(['gobgp 3.10.0', 'gobgp 3.10.0; bird 2.0.12', 'gobgp 3.10.0; bird 2.0.12']);
    const history = await HistoryStore.open(root);
    expect(await history.appendRun(run.dir)).toEqual({ runId: 'daemons-1', added: 3 });
    const key = (scenario: string) => ({ ...KEY, scenario, shape: iterationShape(SHAPE) });
    expect(history.series(key('route-scale-bird-1')).map((r) => r.dutVersion)).toEqual(['bird 2.0.12']);
    expect(history.series(key('route-scale-gobgp-2')).map((r) => r.dutVersion)).toEqual(['gobgp 3.10.0']);
    expect(history.runs()).toEqual([
      expect.objectContaining({ runId: 'daemons-1', dutVersion: 'gobgp 3.10.0; bird 2.0.12' }),
    ]);
  });

  it('appending the same run twice adds nothing, in this process or a later one', async () => {
    const root = await tempReportsRoot();
    const dir = await archiveNight(root, 0, { scenarios: night(8.1) });
    const history = await HistoryStore.open(root);
    await history.appendRun(dir);
    expect(await history.appendRun(dir)).toEqual({ runId: nightId(0), added: 0 });
    const reopened = await HistoryStore.open(root);
    expect(await reopened.appendRun(dir)).toEqual({ runId: nightId(0), added: 0 });
    expect(reopened.series(KEY)).toHaveLength(1);
    expect(await lineCount(join(root, 'history', 'lab-a', 'route-scale.jsonl'))).toBe(1);
    expect(await lineCount(join(root, 'history', 'runs.jsonl'))).toBe(1);
  });

  it('a run that gained a scenario since its append (workers sharing a run id) gets only the new records', async () => {
    const root = await tempReportsRoot();
    const dir = await archiveNight(root, 0, { scenarios: night(8.1) });
    const history = await HistoryStore.open(root);
    await history.appendRun(dir);
    await archiveNight(root, 0, {
      scenarios: {
        flap: [{ params: { instances: 1 }, measurements: { reconnect_time: { value: 2, unit: 's' } } }],
      },
    });
    expect(await history.appendRun(dir)).toEqual({ runId: nightId(0), added: 1 });
    expect(
      history
        .recordsOf(nightId(0))
        .map((r) => r.key.metric)
        .sort(),
    ).toEqual(['prefix_add_time', 'reconnect_time']);
    expect(await lineCount(join(root, 'history', 'runs.jsonl'))).toBe(1);
  });

  it('an interrupted append (records written, run not listed) is completed without duplicates', async () => {
    const root = await tempReportsRoot();
    const dir = await archiveNight(root, 0, { scenarios: night(8.1) });
    const first = await HistoryStore.open(root);
    await first.appendRun(dir);
    // Simulate the crash: the run's line in runs.jsonl never made it to disk.
    await writeFile(join(root, 'history', 'runs.jsonl'), '');
    const history = await HistoryStore.open(root);
    expect(history.runs()).toEqual([]);
    expect(await history.appendRun(dir)).toEqual({ runId: nightId(0), added: 0 });
    expect(history.runs().map((r) => r.runId)).toEqual([nightId(0)]);
    expect(await lineCount(join(root, 'history', 'lab-a', 'route-scale.jsonl'))).toBe(1);
  });

  it('repeats of one shape in a run are one record: their median, with the count', async () => {
    const root = await tempReportsRoot();
    const m = (value: number) => ({
      prefix_add_time: { value, unit: 's' as const, resolution: value / 100 },
    });
    const dir = await archiveNight(root, 0, {
      scenarios: {
        'route-scale': [
          { params: { run: 1, ...SHAPE }, measurements: m(8.0) },
          { params: { run: 2, ...SHAPE }, measurements: m(9.0) },
          { params: { run: 3, ...SHAPE }, measurements: m(8.2) },
          { params: { run: 1, ...SHAPE, routes: 200 }, measurements: m(16) },
        ],
      },
    });
    const history = await HistoryStore.open(root);
    expect(await history.appendRun(dir)).toEqual({ runId: nightId(0), added: 2 });
    expect(history.series(KEY)).toEqual([
      expect.objectContaining({ value: 8.2, samples: 3, resolution: 0.09 }),
    ]);
    expect(history.series({ ...KEY, shape: 'instances=2,agents=10,routes=200,servers=1' })[0]?.value).toBe(
      16,
    );
  });

  it('series and comparable runs are in run order, whatever order the runs were appended in', async () => {
    const root = await tempReportsRoot();
    const dirs = [];
    for (const i of [0, 1, 2, 3]) dirs.push(await archiveNight(root, i, { scenarios: night(8 + i) }));
    const history = await HistoryStore.open(root);
    for (const i of [2, 0, 3, 1]) await history.appendRun(dirs[i]!);
    expect(history.series(KEY).map((r) => r.value)).toEqual([8, 9, 10, 11]);
    expect(history.runs().map((r) => r.wall)).toEqual(
      [0, 1, 2, 3].map((i) => new Date(T0 + i * DAY).toISOString()),
    );
    expect(history.comparable(KEY, nightId(2)).map((r) => r.runId)).toEqual([nightId(0), nightId(1)]);
    expect(() => history.comparable(KEY, 'night-99')).toThrow(
      `run night-99: not in the history ${join(root, 'history')}`,
    );
  });

  it('catchUp appends every archived run the history lacks and names the archives it could not read', async () => {
    const root = await tempReportsRoot();
    await archiveNight(root, 0, { scenarios: night(8.1) });
    await archiveNight(root, 1, { scenarios: night(8.2) });
    await mkdir(join(root, 'runs', 'broken'), { recursive: true });
    await writeFile(join(root, 'runs', 'broken', 'run.json'), '{"runId": ');
    const history = await HistoryStore.open(root);
    const { appended, skipped } = await history.catchUp();
    expect(appended).toEqual([nightId(0), nightId(1)]);
    expect(skipped).toEqual([
      {
        dir: join(root, 'runs', 'broken'),
        reason: expect.stringContaining(`${join(root, 'runs', 'broken', 'run.json')}: not valid JSON`),
      },
    ]);
    expect((await history.catchUp()).appended).toEqual([]);
  });

  it('a torn line is skipped and named; the next append starts on a fresh line', async () => {
    const root = await tempReportsRoot();
    const history = await HistoryStore.open(root);
    await history.appendRun(await archiveNight(root, 0, { scenarios: night(8.1) }));
    const file = join(root, 'history', 'lab-a', 'route-scale.jsonl');
    await appendFile(file, '{"key":{"lab":"lab-a"');
    const reopened = await HistoryStore.open(root);
    expect(reopened.warnings).toEqual([`${file}:2: skipped, not JSON`]);
    await reopened.appendRun(await archiveNight(root, 1, { scenarios: night(8.2) }));
    const again = await HistoryStore.open(root);
    expect(again.series(KEY).map((r) => r.value)).toEqual([8.1, 8.2]);
    expect(again.warnings).toEqual([`${file}:2: skipped, not JSON`]);
  });

  it('versions recorded in run.json win over this checkout', async () => {
    const root = await tempReportsRoot();
    const dir = await archiveNight(root, 0, {
      environment: { lab: 'lab-a', git_commit: 'abc1234', netscale_version: '0.0.9' },
      scenarios: night(8.1),
    });
    const history = await HistoryStore.open(root);
    await history.appendRun(dir);
    expect(history.series(KEY)[0]).toMatchObject({ gitCommit: 'abc1234', netscaleVersion: '0.0.9' });
  });

  it('a shape is the params that matter, in a stable order', () => {
    expect(iterationShape({ servers: 1, routes: 100, run: 3, agents: 10, instances: 2 })).toBe(
      'instances=2,agents=10,routes=100,servers=1',
    );
    expect(
      iterationShape({
        kind: 'throughput',
        frame_sizes: '64, 128',
        bidir: true,
        frame_size: 64,
        duration_s: 60,
      }),
    ).toBe('frame_size=64,bidir=true,duration_s=60,kind=throughput');
  });
});
