import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Series, readSeries } from '../../lib/measure/series.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'netscale-series-'));
  dirs.push(d);
  return d;
}

describe('Series', () => {
  it('streams points to NDJSON as they arrive, before close', async () => {
    const file = join(await tempDir(), 'a/b/peers_up.ndjson');
    const s = new Series('peers_up', 'count', { file, meta: { resolutionMs: 25 } });
    s.add(1);
    s.add(2);
    const fileLines = async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    // Header and both points reach the file while the series is still open.
    await expect.poll(fileLines, { timeout: 5000, interval: 10 }).toHaveLength(3);
    expect(JSON.parse((await fileLines())[0]!)).toEqual({
      series: 'peers_up',
      unit: 'count',
      meta: { resolutionMs: 25 },
    });
    await s.close();
    // A sampler's late line after the scenario was torn down: dropped, the series stays as closed.
    s.add(3);
    expect(s.points.map((p) => p.v)).toEqual([1, 2]);
    const back = await readSeries(file);
    expect(back.points.map((p) => p.v)).toEqual([1, 2]);
    expect(back.points[1]!.t).toBeGreaterThanOrEqual(back.points[0]!.t);
    expect(back.meta).toEqual({ resolutionMs: 25 });
  });

  it('reads a series whose last line was torn by a crash, and rejects corruption with the line number', async () => {
    const dir = await tempDir();
    const file = join(dir, 's.ndjson');
    await writeFile(file, '{"series":"x","unit":"%"}\n{"t":1,"wall":2,"v":3}\n');
    await appendFile(file, '{"t":2,"wa');
    expect((await readSeries(file)).points).toEqual([{ t: 1, wall: 2, v: 3 }]);
    await writeFile(file, '{"series":"x","unit":"%"}\nnot json\n{"t":1,"wall":2,"v":3}\n');
    await expect(readSeries(file)).rejects.toThrow(`${file}:2: not a JSON point`);
    await writeFile(file, '');
    await expect(readSeries(file)).rejects.toThrow('empty series file');
  });
});
