import { randomBytes } from 'node:crypto';

/**
 * `<yyyymmdd-hhmmss>-<suffix>` in UTC: sorts by start time; the default suffix (6 random hex digits) keeps
 * concurrent runs apart, a given one (e.g. a pid) lets several processes derive the same id.
 */
export function generateRunId(now = new Date(), suffix = randomBytes(3).toString('hex')): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${suffix}`;
}
