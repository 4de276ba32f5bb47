/**
 * A Vitest run of its own for trend-report.spec.ts (test/report/trend-report.test.ts starts it): the
 * allure-vitest reporter writes to NETSCALE_ALLURE_RESULTS_DIR, so the outer run's reports/ stay untouched.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const resultsDir = process.env.NETSCALE_ALLURE_RESULTS_DIR;
if (!resultsDir) throw new Error('trend-report.vitest.config.ts: NETSCALE_ALLURE_RESULTS_DIR is not set');

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/report/support/trend-report.spec.ts'],
    setupFiles: ['allure-vitest/setup'],
    reporters: ['default', ['allure-vitest/reporter', { resultsDir }]],
  },
});
