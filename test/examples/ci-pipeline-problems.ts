/**
 * What a CI system would reject in a pipeline file, one line per problem (`<file>: <where>: <what>`),
 * [] when it would accept it. The YAML is read by the `yaml` package (its errors and warnings count),
 * then validated against the CI system's published JSON schema, then checked for references no schema
 * can follow (a job or step named but not defined). Nothing is fetched: the schemas come from npm.
 *
 * - GitHub Actions: GitHub publishes no JSON schema for workflows; SchemaStore's github-workflow schema
 *   (the one editors validate with) is compiled into @action-validator/core, which validates with it.
 * - GitLab CI: GitLab's own schema (gitlab-org/gitlab, app/assets/javascripts/editor/schema/ci.json, which
 *   its pipeline editor uses), as gitlab-ci-local 4.65.1 ships it in src/schema/schema.js (later releases
 *   bundle it into one file), validated with ajv.
 */
import { readFile } from 'node:fs/promises';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { Ajv, type ErrorObject } from 'ajv';
import { schema as gitlabCiSchema } from 'gitlab-ci-local/src/schema/schema.js';
import { parseDocument } from 'yaml';

// The options GitLab's schema needs (as gitlab-ci-local sets them): it mixes types in unions and uses
// the editor's markdownDescription keyword; ajv ships no format validators, so formats are not checked.
const validateGitlabCi = new Ajv({
  allErrors: true,
  allowUnionTypes: true,
  strictTypes: false,
  validateFormats: false,
  keywords: ['markdownDescription'],
}).compile(gitlabCiSchema);

/** GitLab's top-level keys that are not jobs (its global keywords, the spec header, deprecated globals). */
const GITLAB_GLOBAL_KEYS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'spec',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
]);
const GITLAB_DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

async function readYaml(file: string): Promise<{ data: unknown; problems: string[] }> {
  const doc = parseDocument(await readFile(file, 'utf8'), { uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${file}: ${e.message.split('\n')[0]}`);
  return { data: doc.toJS(), problems };
}

function workflowErrorLines(e: ValidationError): string[] {
  // A oneOf error holds the errors of each alternative it tried.
  if ('states' in e && e.states) return e.states.flatMap((s) => s.errors.flatMap(workflowErrorLines));
  return [`${('path' in e && e.path) || '/'}: ${e.detail ?? e.title}`];
}

function ajvErrorLine(e: ErrorObject): string {
  const params = Object.entries(e.params)
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', ');
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${params ? ` (${params})` : ''}`;
}

/** Jobs named in `needs` and steps named in `steps.<id>` expressions that the workflow does not define. */
function githubReferenceProblems(workflow: unknown): string[] {
  const jobs = isMapping(workflow) && isMapping(workflow.jobs) ? workflow.jobs : {};
  const problems: string[] = [];
  for (const [name, job] of Object.entries(jobs)) {
    if (!isMapping(job)) continue;
    for (const need of asList(job.needs)) {
      if (typeof need !== 'string' || !(need in jobs)) {
        problems.push(
          `/jobs/${name}/needs: ${JSON.stringify(need)} is not a job (jobs: ${Object.keys(jobs).join(', ')})`,
        );
      }
    }
    const stepIds = asList(job.steps).flatMap((s) =>
      isMapping(s) && typeof s.id === 'string' ? [s.id] : [],
    );
    for (const [, id] of JSON.stringify(job).matchAll(/\bsteps\.([A-Za-z_][\w-]*)/g)) {
      if (id && !stepIds.includes(id)) {
        problems.push(
          `/jobs/${name}: steps.${id} names no step of this job (step ids: ${stepIds.join(', ')})`,
        );
      }
    }
  }
  return problems;
}

/** Stages and `needs` that name no stage or job of the file. */
function gitlabReferenceProblems(config: unknown): string[] {
  if (!isMapping(config)) return [];
  const jobs = Object.entries(config).filter(([key]) => !GITLAB_GLOBAL_KEYS.has(key) && !key.startsWith('.'));
  const jobNames = jobs.map(([name]) => name);
  const stages = Array.isArray(config.stages) ? ['.pre', ...config.stages, '.post'] : GITLAB_DEFAULT_STAGES;
  const problems: string[] = [];
  for (const [name, job] of jobs) {
    if (!isMapping(job)) continue;
    const stage = job.stage ?? 'test';
    if (typeof stage !== 'string' || !stages.includes(stage)) {
      problems.push(`/${name}/stage: ${JSON.stringify(stage)} is not a stage (stages: ${stages.join(', ')})`);
    }
    for (const need of asList(job.needs)) {
      const needed = isMapping(need) ? need.job : need;
      if (typeof needed !== 'string' || !jobNames.includes(needed)) {
        problems.push(
          `/${name}/needs: ${JSON.stringify(needed)} is not a job (jobs: ${jobNames.join(', ')})`,
        );
      }
    }
  }
  return problems;
}

/** Problems GitHub Actions would report in the workflow `file`; [] when it is valid. */
export async function githubWorkflowProblems(file: string): Promise<string[]> {
  const { data, problems } = await readYaml(file);
  if (problems.length) return problems;
  // The validator is given what the yaml package read (JSON is YAML): both checks judge the same document.
  const { errors } = validateWorkflow(JSON.stringify(data));
  const lines = [...errors.flatMap(workflowErrorLines), ...githubReferenceProblems(data)];
  return [...new Set(lines)].map((line) => `${file}: ${line}`);
}

/** Problems GitLab CI would report in the pipeline `file`; [] when it is valid. */
export async function gitlabCiProblems(file: string): Promise<string[]> {
  const { data, problems } = await readYaml(file);
  if (problems.length) return problems;
  const schemaLines = validateGitlabCi(data) ? [] : (validateGitlabCi.errors ?? []).map(ajvErrorLine);
  const lines = [...schemaLines, ...gitlabReferenceProblems(data)];
  return [...new Set(lines)].map((line) => `${file}: ${line}`);
}
