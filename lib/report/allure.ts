/**
 * Thin glue over allure-js-commons: every report call goes through here so that the same code works
 * inside a Vitest test (Allure records it) and outside one (CLI, worker fixtures before a test: the
 * body still runs, nothing is recorded, nothing crashes).
 *
 * API:
 * - `phase(name, fn)`: runs fn as an Allure step (one per phase: setup, bring-up, add, delete, ...).
 * - `parameters({servers: 2, agents: 10})`, `parameter(name, value)`.
 * - `labels({epic, feature, story})`.
 * - `environment({lab: 'sim', dut_version: '...'})`: writes/merges environment.properties in the Allure
 *   results dir (NETSCALE_ALLURE_RESULTS_DIR or reports/allure-results) — per run, not per test.
 * - attachments: `attachText(name, text)`, `attachJson(name, value)`, `attachSvg(name, svg)`,
 *   `attachFile(name, path, contentType?)`; text content passes through `scrub` (secrets never reach Allure).
 * - `allureActive()`: true when a test runtime and a current Vitest test/suite exist.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as allure from 'allure-js-commons';
import { getCurrentSuite, getCurrentTest } from '@vitest/runner';
import { scrub } from './scrub.ts';

export function allureActive(): boolean {
  if (typeof (globalThis as Record<string, unknown>).allureTestRuntime !== 'function') return false;
  try {
    return Boolean(getCurrentTest() ?? getCurrentSuite());
  } catch {
    return false;
  }
}

export async function phase<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  if (!allureActive()) return fn();
  return allure.step(name, () => fn());
}

export async function parameter(name: string, value: unknown): Promise<void> {
  if (allureActive()) await allure.parameter(name, scrub(String(value)));
}

export async function parameters(values: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await parameter(name, value);
}

export interface ReportLabels {
  epic?: string;
  feature?: string;
  story?: string;
}

export async function labels(l: ReportLabels): Promise<void> {
  if (!allureActive()) return;
  if (l.epic) await allure.epic(l.epic);
  if (l.feature) await allure.feature(l.feature);
  if (l.story) await allure.story(l.story);
}

export function allureResultsDir(): string {
  return process.env.NETSCALE_ALLURE_RESULTS_DIR ?? join('reports', 'allure-results');
}

function escapeProperty(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/([=:])/g, '\\$1');
}

/** Merges key/values into environment.properties (shown on the Allure overview). */
export async function environment(info: Record<string, string>, dir = allureResultsDir()): Promise<void> {
  const file = join(dir, 'environment.properties');
  const merged = new Map<string, string>();
  const existing = await readFile(file, 'utf8').catch(() => '');
  for (const line of existing.split('\n')) {
    const m = /^((?:\\.|[^=:\\])+)[=:](.*)$/.exec(line);
    if (m) merged.set(m[1]!, m[2]!);
  }
  for (const [k, v] of Object.entries(info)) merged.set(escapeProperty(k), escapeProperty(scrub(v)));
  await mkdir(dir, { recursive: true });
  await writeFile(file, [...merged].map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
}

export async function attachText(name: string, text: string): Promise<void> {
  if (allureActive()) await allure.attachment(name, scrub(text), { contentType: 'text/plain' });
}

export async function attachJson(name: string, value: unknown): Promise<void> {
  if (allureActive()) {
    await allure.attachment(name, scrub(JSON.stringify(value, null, 2)), { contentType: 'application/json' });
  }
}

export async function attachSvg(name: string, svg: string): Promise<void> {
  if (allureActive())
    await allure.attachment(name, svg, { contentType: 'image/svg+xml', fileExtension: 'svg' });
}

/** Attaches a file's content (read now, scrubbed if textual). */
export async function attachFile(name: string, path: string, contentType = 'text/plain'): Promise<void> {
  if (!allureActive()) return;
  const content = await readFile(path);
  const textual =
    contentType.startsWith('text/') || contentType.includes('json') || contentType.includes('xml');
  await allure.attachment(name || basename(path), textual ? scrub(content.toString('utf8')) : content, {
    contentType,
  });
}
