/**
 * Statistics that one bad night cannot drag: the median and the median absolute deviation.
 *
 * API:
 * - `median(values)`: NaN for no values; the mean of the two middle values for an even count.
 * - `medianAbsoluteDeviation(values)`: median of |x - median(values)|.
 * - `robustSigma(values)`: 1.4826 x MAD, which estimates the standard deviation of normal noise
 *   while ignoring up to half of the values as outliers.
 */

/** MAD -> standard deviation for normally distributed values (1 / Φ⁻¹(3/4)). */
export const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function medianAbsoluteDeviation(values: readonly number[]): number {
  const centre = median(values);
  return median(values.map((v) => Math.abs(v - centre)));
}

export function robustSigma(values: readonly number[]): number {
  return MAD_TO_SIGMA * medianAbsoluteDeviation(values);
}
