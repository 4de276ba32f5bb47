import { randomBytes } from 'node:crypto';

/** `<yyyymmdd-hhmmss>-<6 hex>` in UTC: sorts by start time, unique across concurrent runs. */
export function generateRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
