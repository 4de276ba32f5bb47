import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/repo-root.ts';
import { githubWorkflowProblems, gitlabCiProblems } from './ci-pipeline-problems.ts';

const GITHUB = join(REPO_ROOT, 'examples/ci/github-nightly.yml');
const GITLAB = join(REPO_ROOT, 'examples/ci/gitlab-nightly.yml');

/** The nightly's commands, in the order reports/README.md gives. */
const NIGHTLY_ORDER =
  /npm ci[\s\S]*npx vitest run suites\/bgp[\s\S]*npx vitest run suites\/throughput[\s\S]*npx netscale compare --fail-on-regression[\s\S]*npm run report/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ci-pipelines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of `file` in the temp dir with `from` replaced by `to` (which must change it). */
async function copyWith(file: string, from: string, to: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  expect(text, `${file} no longer contains ${JSON.stringify(from)}`).toContain(from);
  const copy = join(dir, basename(file));
  await writeFile(copy, text.replace(from, to));
  return copy;
}

describe('example nightly pipelines (examples/ci)', () => {
  it('github-nightly.yml is a valid GitHub Actions workflow', async () => {
    expect(await githubWorkflowProblems(GITHUB)).toEqual([]);
  });

  it('gitlab-nightly.yml is a valid GitLab CI configuration', async () => {
    expect(await gitlabCiProblems(GITLAB)).toEqual([]);
  });

  const mistakes = [
    {
      mistake: 'a misspelt GitHub job keyword',
      check: githubWorkflowProblems,
      file: GITHUB,
      from: 'runs-on: [self-hosted',
      to: 'runs_on: [self-hosted',
      reported: "/jobs/nightly: Additional property 'runs_on' is not allowed",
    },
    {
      mistake: 'a GitHub step id the closing check reads but no step has',
      check: githubWorkflowProblems,
      file: GITHUB,
      from: 'id: throughput',
      to: 'id: throughput-suites',
      reported: '/jobs/nightly: steps.throughput names no step of this job',
    },
    {
      mistake: 'YAML that is not YAML (": " in a plain scalar)',
      check: githubWorkflowProblems,
      file: GITHUB,
      from: "description: 'Lab file under labs/, without .yaml (default: the NETSCALE_LAB variable)'",
      to: 'description: Lab file under labs/, without .yaml (default: the NETSCALE_LAB variable)',
      reported: 'Nested mappings are not allowed in compact mappings',
    },
    {
      mistake: 'an unknown GitLab job keyword',
      check: gitlabCiProblems,
      file: GITLAB,
      from: '  artifacts:\n    when: always',
      to: '  artefacts:\n    when: always',
      reported: '/nightly: must NOT have additional properties (additionalProperty "artefacts")',
    },
    {
      mistake: 'a GitLab value outside its keyword’s choices',
      check: gitlabCiProblems,
      file: GITLAB,
      from: 'policy: pull-push\n    when: always',
      to: 'policy: pull-push\n    when: allways',
      reported: '/nightly/cache/when: must be equal to one of the allowed values',
    },
    {
      mistake: 'a GitLab job that needs a job the file lacks',
      check: gitlabCiProblems,
      file: GITLAB,
      from: 'needs: [nightly]',
      to: 'needs: [nighty]',
      reported: '/pages/needs: "nighty" is not a job (jobs: nightly, pages)',
    },
  ];
  it.each(mistakes)('reports $mistake in a copy', async ({ check, file, from, to, reported }) => {
    const copy = await copyWith(file, from, to);
    const problems = await check(copy);
    expect(problems).toContainEqual(expect.stringContaining(`${copy}: ${reported}`));
  });

  it('the GitHub nightly runs the suites, the gate and the report on the lab runner, keeping the history', async () => {
    const wf: unknown = parse(await readFile(GITHUB, 'utf8'));
    expect(wf).toHaveProperty('on.schedule.0.cron');
    expect(wf).toHaveProperty('on.workflow_dispatch');
    expect(wf).toMatchObject({ jobs: { nightly: { 'runs-on': ['self-hosted', 'netscale-lab'] } } });
    const steps = (wf as { jobs: { nightly: { steps: Record<string, unknown>[] } } }).jobs.nightly.steps;
    expect(steps.map((s) => s.run ?? '').join('\n')).toMatch(NIGHTLY_ORDER);

    const step = (uses: string) => steps.find((s) => s.uses === uses);
    const history = { path: 'reports/history/\nreports/history.jsonl\n' };
    // A key that never matches, so each night saves anew; the restore key is its constant prefix.
    expect(step('actions/cache/restore@v4')).toMatchObject({
      with: { ...history, key: expect.stringMatching(/^netscale-history-.*github\.run_id/) },
    });
    const restore = step('actions/cache/restore@v4') as { with: { key: string; 'restore-keys': string } };
    expect(restore.with.key.startsWith(restore.with['restore-keys'])).toBe(true);
    expect(step('actions/cache/save@v4')).toMatchObject({
      if: '${{ !cancelled() }}',
      with: { ...history, key: restore.with.key },
    });

    // The suites and the gate never stop the job early; the last step fails it on any of their failures.
    const ids = ['bgp', 'throughput', 'compare', 'report'];
    for (const id of ids) expect(steps.find((s) => s.id === id)).toMatchObject({ 'continue-on-error': true });
    const last = steps.at(-1) as { if: string; env: { OUTCOMES: string } };
    expect(last.if).toBe('${{ !cancelled() }}');
    for (const id of ids) expect(last.env.OUTCOMES).toContain(`steps.${id}.outcome`);
  });

  it('the GitLab nightly runs the suites, the gate and the report on the lab runner, keeping the history', async () => {
    const config: unknown = parse(await readFile(GITLAB, 'utf8'));
    expect(config).toMatchObject({
      workflow: { rules: [{ if: expect.stringMatching(/"schedule".*"web"/) }] },
      default: { image: expect.stringMatching(/^node:20/), tags: ['netscale-lab'] },
      nightly: {
        cache: {
          key: 'netscale-history',
          paths: ['reports/history/', 'reports/history.jsonl'],
          policy: 'pull-push',
          when: 'always',
        },
        artifacts: {
          when: 'always',
          paths: expect.arrayContaining(['reports/runs/', 'reports/allure-report/']),
        },
      },
      pages: { rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'always' }] },
    });
    const script = (config as { nightly: { script: string[] } }).nightly.script;
    expect(script.join('\n')).toMatch(NIGHTLY_ORDER);
    // A failing suite or gate is remembered, not fatal, until the report is built.
    for (const command of ['npx vitest run suites/', 'npx netscale compare', 'npm run report']) {
      const lines = script.filter((l) => l.includes(command));
      expect(lines.length, command).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/\|\| status=1$/);
    }
    expect(script.at(-1)).toBe('exit "$status"');
  });
});
