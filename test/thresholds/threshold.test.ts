import { describe, expect, it } from 'vitest';
import { ThresholdError, evaluateThreshold, parseThreshold } from '../../lib/thresholds/threshold.ts';
import { formatQuantity, parseQuantity } from '../../lib/thresholds/quantity.ts';

describe('parseThreshold', () => {
  it.each([
    ['< 30s', '<', 30, 's'],
    ['<= 80%', '<=', 80, '%'],
    ['<= 0.001%', '<=', 0.001, '%'],
    ['>= 1000/s', '>=', 1000, '/s'],
    ['>= 1.5k/s', '>=', 1500, '/s'],
    ['< 500ms', '<', 0.5, 's'],
    ['< 2 min', '<', 120, 's'],
    ['<= 2GiB', '<=', 2 * 1024 ** 3, 'B'],
    ['<= 512MB', '<=', 512e6, 'B'],
    ['== 0', '==', 0, 'count'],
    ['> 10k', '>', 10_000, 'count'],
    ['<250us', '<', 250e-6, 's'],
    ['>= 9000Mbit/s', '>=', 9e9, 'bit/s'],
    ['>= 10 Gbit/s', '>=', 1e10, 'bit/s'],
    ['>= 100Mbps', '>=', 1e8, 'bit/s'],
    ['> 500 kbit/s', '>', 5e5, 'bit/s'],
  ])('%s', (expr, op, value, unit) => {
    const t = parseThreshold('m', expr);
    expect(t.op).toBe(op);
    expect(t.value).toBeCloseTo(value, 12);
    expect(t.unit).toBe(unit);
    expect(t.expr).toBe(expr);
  });

  it('rejects a missing operator, naming the source and what was found', () => {
    expect(() => parseThreshold('prefix_add_time', '30s', 'scenario file a.yaml, key thresholds.x')).toThrow(
      /^scenario file a\.yaml, key thresholds\.x: expected "<op> <limit>".*found "30s"/,
    );
  });

  it('rejects an unknown unit, listing the known ones', () => {
    const err = (() => {
      try {
        parseThreshold('m', '< 30 parsecs', 'env NETSCALE_THRESHOLD_M');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ThresholdError);
    expect((err as Error).message).toMatch(
      /env NETSCALE_THRESHOLD_M: expected a number with a unit \(ns, us, ms/,
    );
    expect((err as Error).message).toContain('"30 parsecs"');
  });

  it('rejects a non-string', () => {
    expect(() => parseThreshold('m', 30 as unknown as string)).toThrow(/found number 30/);
  });
});

describe('quantities', () => {
  it('does not mistake mega for milli or minutes', () => {
    expect(parseQuantity('1M/s')?.value).toBe(1e6);
    expect(parseQuantity('1ms')?.value).toBe(0.001);
    expect(parseQuantity('1 m')).toBeUndefined();
  });
  it('tells a frame rate (M/s) from a bit rate (Mbit/s, Mbps), and bits from bytes', () => {
    expect(parseQuantity('1M/s')).toMatchObject({ value: 1e6, unit: '/s' });
    expect(parseQuantity('1Mbit/s')).toMatchObject({ value: 1e6, unit: 'bit/s', display: 'Mbit/s' });
    expect(parseQuantity('1Mbps')).toMatchObject({ value: 1e6, unit: 'bit/s', display: 'Mbps' });
    expect(parseQuantity('1MB')).toMatchObject({ value: 1e6, unit: 'B' });
    expect(parseQuantity('1 MBit/s')).toBeUndefined();
  });
  it('formats in the written unit with resolution', () => {
    expect(formatQuantity(0.6123, 's', { display: 'ms' })).toBe('612.3 ms');
    expect(formatQuantity(41.2, 's', { resolution: 0.05 })).toBe('41.2 s (±0.05 s)');
    expect(formatQuantity(85.25, '%')).toBe('85.25%');
    expect(formatQuantity(1500, '/s')).toBe('1500/s');
    expect(formatQuantity(2 * 1024 ** 3, 'B', { display: 'GiB' })).toBe('2 GiB');
    expect(formatQuantity(1500, '/s', { display: 'k/s' })).toBe('1.5k/s');
    expect(formatQuantity(9.4e9, 'bit/s', { display: 'Mbit/s' })).toBe('9400 Mbit/s');
    expect(formatQuantity(9.4e9, 'bit/s', { display: 'Gbps' })).toBe('9.4 Gbps');
    expect(formatQuantity(2e6, 'bit/s')).toBe('2000000 bit/s');
  });
});

describe('evaluateThreshold', () => {
  const t = parseThreshold('prefix_add_time', '< 30s');

  it('fails with metric, measured value, resolution and limit', () => {
    const r = evaluateThreshold(t, { value: 41.2, unit: 's', resolution: 0.05 });
    expect(r.pass).toBe(false);
    expect(r.message).toBe('prefix_add_time: measured 41.2 s (±0.05 s) is not < 30 s');
    expect(r.measured).toBe(41.2);
    expect(r.limit).toBe(30);
  });

  it('passes below the limit and says so', () => {
    const r = evaluateThreshold(t, 12.345);
    expect(r.pass).toBe(true);
    expect(r.message).toBe('prefix_add_time: measured 12.345 s is < 30 s');
  });

  it('treats the limit itself per operator', () => {
    expect(evaluateThreshold(t, 30).pass).toBe(false);
    expect(evaluateThreshold(parseThreshold('x', '<= 30s'), 30).pass).toBe(true);
    expect(evaluateThreshold(parseThreshold('x', '>= 1000/s'), 999.9).pass).toBe(false);
    expect(evaluateThreshold(parseThreshold('x', '> 5'), 6).pass).toBe(true);
    expect(evaluateThreshold(parseThreshold('x', '== 0'), 1).pass).toBe(false);
  });

  it('shows values in the unit the limit was written in', () => {
    const r = evaluateThreshold(parseThreshold('poll_latency', '< 500ms'), 0.612);
    expect(r.message).toBe('poll_latency: measured 612 ms is not < 500 ms');
  });

  it('compares bit rates in the unit the limit was written in', () => {
    const limit = parseThreshold('throughput_rx_mbps', '>= 9000Mbit/s');
    const r = evaluateThreshold(limit, { value: 8.5e9, unit: 'bit/s' });
    expect(r).toMatchObject({ pass: false, measured: 8.5e9, limit: 9e9 });
    expect(r.message).toBe('throughput_rx_mbps: measured 8500 Mbit/s is not >= 9000 Mbit/s');
    expect(evaluateThreshold(limit, { value: 9.2e9, unit: 'bit/s' }).pass).toBe(true);
    expect(evaluateThreshold(limit, { value: 9.2e9, unit: '/s' }).pass).toBe(false);
  });

  it('fails a missing or NaN measurement', () => {
    expect(evaluateThreshold(t, undefined)).toMatchObject({
      pass: false,
      message: 'prefix_add_time: no measurement (found nothing), limit < 30 s',
    });
    expect(evaluateThreshold(t, Number.NaN).pass).toBe(false);
  });

  it('fails a measurement in another unit', () => {
    const r = evaluateThreshold(parseThreshold('cpu_peak', '<= 80%'), { value: 3, unit: 's' });
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/cpu_peak: measured 3 s cannot be compared with limit <= 80% \(unit s vs %\)/);
  });
});
