/**
 * Synthetic nightly histories for the history tests: either archived runs written with RunArchive into
 * a temporary reports root (start times set with a fake Date), or records appended straight to a store.
 * Night i (0-based) starts at T0 + i days and has run id night-<i+1, two digits>.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { HistoryStore, type HistoryRecord } from '../../lib/history/history-store.ts';
import type { HistoryKey } from '../../lib/history/history-key.ts';
import { RunArchive, type ArchivedMeasurement } from '../../lib/report/run-archive.ts';
import type { BaseUnit } from '../../lib/thresholds/quantity.ts';

export const T0 = Date.UTC(2026, 0, 1, 2, 0, 0);
export const DAY = 86_400_000;

/** A fixed ±0.4 % wiggle, so every night differs a little and every run of the tests is the same. */
export const WIGGLE = [
  0, 0.004, -0.003, 0.002, -0.004, 0.003, -0.001, 0.001, -0.002, 0.0035, -0.0025, 0.0015,
];

export function nightId(i: number): string {
  return `night-${String(i + 1).padStart(2, '0')}`;
}

export function wiggled(level: number, i: number): number {
  return level * (1 + WIGGLE[i % WIGGLE.length]!);
}

const roots: string[] = [];

export async function tempReportsRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'netscale-history-'));
  roots.push(root);
  return root;
}

export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
}

export const KEY: HistoryKey = {
  lab: 'lab-a',
  scenario: 'route-scale',
  shape: 'instances=2,agents=10,routes=100,servers=1',
  metric: 'prefix_add_time',
};

export interface SyntheticSeries {
  key?: Partial<HistoryKey>;
  values: readonly number[];
  unit?: BaseUnit;
  resolution?: number;
  /** DUT version of night i. */
  dutVersion?: (i: number) => string;
  /** Night of the first value (default 0). */
  firstNight?: number;
}

/** Appends one run per value, each with one record, straight to the store. */
export async function appendSeries(history: HistoryStore, s: SyntheticSeries): Promise<HistoryKey> {
  const key = { ...KEY, ...s.key };
  for (const [n, value] of s.values.entries()) {
    const i = (s.firstNight ?? 0) + n;
    const dutVersion = s.dutVersion?.(i);
    const run = {
      runId: nightId(i),
      wall: new Date(T0 + i * DAY).toISOString(),
      lab: key.lab,
      ...(dutVersion ? { dutVersion } : {}),
      netscaleVersion: '0.1.0',
    };
    const record: HistoryRecord = {
      key,
      runId: run.runId,
      wall: run.wall,
      value,
      unit: s.unit ?? 's',
      ...(s.resolution !== undefined ? { resolution: s.resolution } : {}),
      ...(dutVersion ? { dutVersion } : {}),
      netscaleVersion: run.netscaleVersion,
    };
    await history.appendRecords(run, [record]);
  }
  return key;
}

export interface SyntheticIteration {
  params: Record<string, unknown>;
  measurements: Record<string, ArchivedMeasurement>;
}

/** Writes night i as an archived run (run.json, scenarios/<name>.json) and returns its directory. */
export async function archiveNight(
  root: string,
  i: number,
  opts: { environment?: Record<string, string>; scenarios: Record<string, SyntheticIteration[]> },
): Promise<string> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(T0 + i * DAY);
    const run = await RunArchive.open({
      root,
      runId: nightId(i),
      environment: opts.environment ?? { lab: 'lab-a' },
    });
    for (const [name, iterations] of Object.entries(opts.scenarios)) {
      const sc = run.scenario(name);
      for (const [n, it] of iterations.entries()) {
        sc.recordIteration({
          iteration: n + 1,
          params: it.params,
          start: n * 1000,
          end: n * 1000 + 500,
          startWall: Date.now(),
          endWall: Date.now(),
          measurements: it.measurements,
        });
      }
      await sc.finish();
    }
    return run.dir;
  } finally {
    vi.useRealTimers();
  }
}
