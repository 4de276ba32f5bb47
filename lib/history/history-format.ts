/**
 * How the history's numbers read in verdicts, change points and the `netscale compare` table.
 *
 * API:
 * - `formatPercent(x, {signed?})` -> '21 %', '+18 %', '-3.2 %', '0.52 %': two significant digits
 *   (whole numbers from 100 %), which is as far as nightly noise lets a change be read.
 * - `formatValue(value, unit, resolution?)` -> '9.8 s (±0.05 s)', '8.1 s', '42.7 ms', '8000/s', '950 Mbit/s':
 *   rounded to the resolution when one is stated, else to 4 significant digits.
 */
import { formatQuantity, type BaseUnit } from '../thresholds/quantity.ts';

/** Bit rates and memory read better in mega units, short times in ms or us; the rest in its base unit. */
function displayOf(value: number, unit: BaseUnit): { display?: string; factor: number } {
  if (unit === 'bit/s') return { display: 'Mbit/s', factor: 1e6 };
  if (unit === 'B') return { display: 'MiB', factor: 1024 ** 2 };
  if (unit === 's' && value !== 0 && Math.abs(value) < 1e-3) return { display: 'us', factor: 1e-6 };
  if (unit === 's' && value !== 0 && Math.abs(value) < 1) return { display: 'ms', factor: 1e-3 };
  return { factor: 1 };
}

export function formatPercent(x: number, opts: { signed?: boolean } = {}): string {
  const shown = Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(2));
  const sign = opts.signed && shown > 0 ? '+' : '';
  return `${sign}${shown} %`;
}

export function formatValue(value: number, unit: BaseUnit, resolution?: number): string {
  const { display, factor } = displayOf(value, unit);
  const shown = display ? { display } : {};
  if (resolution !== undefined && resolution > 0)
    return formatQuantity(value, unit, { ...shown, resolution });
  return formatQuantity(Number((value / factor).toPrecision(4)) * factor, unit, shown);
}
