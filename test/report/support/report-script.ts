/**
 * `npm run report` as a nightly job runs it, in a directory of its own: the script's command from
 * package.json through a shell, with the repository's allurerc.mjs linked in, so reports/ (results,
 * report, Allure's history) are the directory's and the repository's stay untouched. Then the
 * generated report read back: its test results (data/test-results/*.json of the awesome plugin)
 * with their attachments.
 *
 *   const dir = await reportDir();                  // <dir>/reports/allure-results/ to fill
 *   const r = await runReportScript(dir);          // r.code, r.output
 *   const results = await reportTestResults(dir);  // [{name, status, history, attachments: [{name, file}]}]
 */
import { mkdir, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import packageJson from '../../../package.json' with { type: 'json' };
import { REPO_ROOT } from '../../support/repo-root.ts';

export interface ReportAttachment {
  name: string;
  /** Path of the attachment's file in the generated report. */
  file: string;
  contentType: string;
}

export interface ReportTestResult {
  name: string;
  status: string;
  /** Earlier runs of this test that Allure's history holds. */
  history: unknown[];
  attachments: ReportAttachment[];
}

export async function reportDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netscale-report-'));
  await mkdir(join(dir, 'reports', 'allure-results'), { recursive: true });
  await symlink(join(REPO_ROOT, 'allurerc.mjs'), join(dir, 'allurerc.mjs'));
  return dir;
}

export async function runReportScript(dir: string): Promise<{ code: number; output: string }> {
  const r = await execa('sh', ['-c', packageJson.scripts.report], {
    cwd: dir,
    env: { PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
    all: true,
    reject: false,
    timeout: 60_000,
  });
  return { code: r.exitCode ?? -1, output: r.all ?? '' };
}

interface StoredStep {
  type?: string;
  link?: { id: string; ext: string; name: string; contentType: string };
  steps?: StoredStep[];
}

function attachmentsOf(steps: readonly StoredStep[], reportData: string): ReportAttachment[] {
  return steps.flatMap((s) => [
    ...(s.type === 'attachment' && s.link
      ? [
          {
            name: s.link.name,
            file: join(reportData, 'attachments', `${s.link.id}${s.link.ext}`),
            contentType: s.link.contentType,
          },
        ]
      : []),
    ...attachmentsOf(s.steps ?? [], reportData),
  ]);
}

export async function reportTestResults(dir: string): Promise<ReportTestResult[]> {
  const data = join(dir, 'reports', 'allure-report', 'data');
  const files = await readdir(join(data, 'test-results'));
  return Promise.all(
    files.map(async (f) => {
      const tr = JSON.parse(await readFile(join(data, 'test-results', f), 'utf8')) as {
        name: string;
        status: string;
        history?: unknown[];
        steps?: StoredStep[];
      };
      return {
        name: tr.name,
        status: tr.status,
        history: tr.history ?? [],
        attachments: attachmentsOf(tr.steps ?? [], data),
      };
    }),
  );
}
