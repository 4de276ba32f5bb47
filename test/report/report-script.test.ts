/**
 * `npm run report` over successive nights: each report shows Allure's history of the earlier ones
 * (reports/history.jsonl grows by one point per report), and Allure's quality gate makes the script
 * fail when any test failed, after the report was built.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportDir, reportTestResults, runReportScript } from './support/report-script.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** One test's Allure result, as allure-vitest writes it. */
async function writeResult(
  dir: string,
  name: string,
  status: 'passed' | 'failed',
  night: number,
): Promise<void> {
  const uuid = `${name}-${night}`;
  const result = {
    uuid,
    historyId: `history-${name}`,
    testCaseId: `case-${name}`,
    fullName: `nightly.test.ts#${name}`,
    name,
    status,
    ...(status === 'failed'
      ? { statusDetails: { message: 'prefix_add_time: measured 41 s is not < 30 s' } }
      : {}),
    stage: 'finished',
    start: night * 1000,
    stop: night * 1000 + 500,
    labels: [],
    steps: [],
    attachments: [],
    parameters: [],
    links: [],
  };
  await writeFile(join(dir, 'reports', 'allure-results', `${uuid}-result.json`), JSON.stringify(result));
}

async function historyPoints(dir: string): Promise<number> {
  const text = await readFile(join(dir, 'reports', 'history.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.trim()).length;
}

describe('npm run report', () => {
  it(
    'keeps Allure history across runs and fails on a failed test once the report is built',
    { timeout: 120_000 },
    async () => {
      const dir = await reportDir();
      dirs.push(dir);
      const results = join(dir, 'reports', 'allure-results');

      await writeResult(dir, 'route scale', 'passed', 1);
      const first = await runReportScript(dir);
      expect(first.code, first.output).toBe(0);
      expect(await historyPoints(dir)).toBe(1);

      // The next night: fresh results, the history carried over.
      await rm(results, { recursive: true });
      await mkdir(results);
      await writeResult(dir, 'route scale', 'passed', 2);
      const second = await runReportScript(dir);
      expect(second.code, second.output).toBe(0);
      // One point per report: the gate adds none.
      expect(await historyPoints(dir)).toBe(2);
      const [night2] = await reportTestResults(dir);
      expect(night2).toMatchObject({ name: 'route scale', status: 'passed' });
      expect(night2!.history).toHaveLength(1);

      await writeResult(dir, 'flap', 'failed', 3);
      const third = await runReportScript(dir);
      expect(third.code).toBe(1);
      expect(third.output).toMatch(
        /The number of failed tests 1 exceeds the allowed threshold value 0\s+maxFailures/,
      );
      // The report was built all the same, with the failure in it.
      const night3 = await reportTestResults(dir);
      expect(night3.map((t) => [t.name, t.status]).sort()).toEqual([
        ['flap', 'failed'],
        ['route scale', 'passed'],
      ]);
      expect(night3.find((t) => t.name === 'route scale')!.history).toHaveLength(2);
      expect(await historyPoints(dir)).toBe(3);
    },
  );
});
