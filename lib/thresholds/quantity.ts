/**
 * Quantities with units, as written in threshold expressions and shown in messages.
 *
 * API:
 * - `BaseUnit`: 's' | '%' | 'count' | '/s' | 'bit/s' | 'B' — every value is stored in one of these.
 * - `parseQuantity(text)` -> { value (base units), unit (base), display (the unit as written, e.g. 'ms') }
 *   for `30s`, `500ms`, `2 min`, `80%`, `0.001%`, `1000/s`, `1.5k/s`, `9000Mbit/s`, `10Gbps`, `2GiB`,
 *   `512MB`, `1000`, `10k`;
 *   returns undefined when the text is not a quantity.
 * - `formatQuantity(value, unit, {display?, resolution?})` -> '41.2 s', '612 ms', '80%', '1000/s', '2 GiB';
 *   with a resolution the value is rounded to it and '(±0.05 s)' is appended.
 * - `defaultDisplay(unit)` -> the display unit used when none was written.
 */

export type BaseUnit = 's' | '%' | 'count' | '/s' | 'bit/s' | 'B';

interface UnitDef {
  base: BaseUnit;
  factor: number;
}

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

// Written unit -> base unit and factor. Lookup is exact (case matters: 'M' is mega, 'ms' is milliseconds).
const UNITS: Record<string, UnitDef> = {
  ns: { base: 's', factor: 1e-9 },
  us: { base: 's', factor: 1e-6 },
  µs: { base: 's', factor: 1e-6 },
  ms: { base: 's', factor: 1e-3 },
  s: { base: 's', factor: 1 },
  sec: { base: 's', factor: 1 },
  min: { base: 's', factor: 60 },
  h: { base: 's', factor: 3600 },
  '%': { base: '%', factor: 1 },
  B: { base: 'B', factor: 1 },
  KB: { base: 'B', factor: 1e3 },
  kB: { base: 'B', factor: 1e3 },
  MB: { base: 'B', factor: 1e6 },
  GB: { base: 'B', factor: 1e9 },
  TB: { base: 'B', factor: 1e12 },
  KiB: { base: 'B', factor: 1024 },
  MiB: { base: 'B', factor: 1024 ** 2 },
  GiB: { base: 'B', factor: 1024 ** 3 },
  TiB: { base: 'B', factor: 1024 ** 4 },
};
for (const [prefix, factor] of Object.entries(SI)) {
  UNITS[`${prefix}/s`] = { base: '/s', factor };
  // Bit rates: a frame rate ('M/s') and a bit rate ('Mbit/s', 'Mbps') are different quantities.
  UNITS[`${prefix}bit/s`] = { base: 'bit/s', factor };
  UNITS[`${prefix}bps`] = { base: 'bit/s', factor };
  if (prefix) UNITS[prefix] = { base: 'count', factor };
}
UNITS[''] = { base: 'count', factor: 1 };

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([^\s\d.][^\s]*)?$/i;

export interface Quantity {
  value: number;
  unit: BaseUnit;
  display: string;
}

export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const written = m[2] ?? '';
  const def = UNITS[written];
  if (!def) return undefined;
  const value = Number(m[1]) * def.factor;
  if (!Number.isFinite(value)) return undefined;
  return { value, unit: def.base, display: written || defaultDisplay(def.base) };
}

export function defaultDisplay(unit: BaseUnit): string {
  return unit === 'count' ? '' : unit;
}

/** Units an expression may use, for error messages. */
export const KNOWN_UNITS =
  'ns, us, ms, s, min, h, %, /s (k/s, M/s), bit/s (Mbit/s, Gbit/s, Mbps, Gbps), B, KB, MB, GB, KiB, MiB, GiB, or none';

function factorOf(display: string, unit: BaseUnit): number {
  const def = UNITS[display];
  return def && def.base === unit ? def.factor : 1;
}

function round(value: number, resolution: number | undefined): string {
  if (resolution !== undefined && resolution > 0 && Number.isFinite(resolution)) {
    const decimals = Math.min(9, Math.max(0, Math.ceil(-Math.log10(resolution))));
    return String(Number(value.toFixed(decimals)));
  }
  return String(Number(value.toPrecision(6)));
}

export function formatQuantity(
  value: number,
  unit: BaseUnit,
  opts: { display?: string; resolution?: number } = {},
): string {
  const display = opts.display ?? defaultDisplay(unit);
  const factor = factorOf(display, unit);
  const shownResolution = opts.resolution !== undefined ? opts.resolution / factor : undefined;
  // '80%', '1000/s' and '1.5k/s' read better unspaced; '41.2 s', '2 GiB' and '9000 Mbit/s' spaced.
  const unspaced = display === '%' || /^[kKMG]?\/s$/.test(display);
  const suffix = !display ? '' : unspaced ? display : ` ${display}`;
  const main = `${round(value / factor, shownResolution)}${suffix}`;
  if (shownResolution === undefined) return main;
  return `${main} (±${round(shownResolution, shownResolution)}${suffix})`;
}
