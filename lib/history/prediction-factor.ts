/**
 * How many estimated standard deviations a new night may lie from the baseline and still be noise,
 * given that the deviation itself was estimated from only n earlier runs.
 *
 * A prediction interval for one new value from n earlier values of normal noise with unknown sigma is
 * centre ± t(n-1) x s x sqrt(1 + 1/n), where t(n-1) is Student's t quantile with n-1 degrees of freedom.
 * With t taken at the coverage of ±3 sigma (99.73 %), the factor falls from 22 at 3 runs to 5.2 at 7 and
 * towards 3 for long histories: three nights cannot tell noise as sharply as thirty, so a short history
 * gets a wide band (a regression must be large to show) instead of a false alarm.
 */

/** Student's t quantile at two-sided 99.73 % coverage, for 1..30 degrees of freedom. */
const T_99_73 = [
  235.8, 19.21, 9.22, 6.62, 5.51, 4.9, 4.53, 4.28, 4.09, 3.96, 3.85, 3.76, 3.69, 3.64, 3.59, 3.54, 3.51, 3.48,
  3.45, 3.42, 3.4, 3.38, 3.36, 3.34, 3.33, 3.32, 3.3, 3.29, 3.28, 3.27,
];
/** The normal quantile the t quantile tends to. */
const SIGMAS = 3;

/** Factor for a sigma estimated from `n` values (n >= 2); beyond 31 values the normal 3. */
export function predictionFactor(n: number): number {
  if (!Number.isInteger(n) || n < 2) throw new Error(`prediction factor: expected n >= 2 values, found ${n}`);
  const t = T_99_73[n - 2] ?? SIGMAS;
  return t * Math.sqrt(1 + 1 / n);
}
