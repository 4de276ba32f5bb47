// Allure Report 3 configuration for `npm run report`, which clears reports/allure-report (generate
// would put a second report in a subdirectory beside the stale first), runs `allure generate` and then
// `allure quality-gate` over reports/allure-results; both read this file.
// History is kept as JSONL beside the results so nightly runs show trends.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'allure';

const qualityGateRun = process.argv.includes('quality-gate');

if (qualityGateRun) {
  // Allure 3.18's quality gate calls Iterator.prototype.toArray, which Node has from 22 on; on Node 20
  // it would crash (and exit 1) whatever the results. Provided here only for the gate's own process.
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  if (typeof iteratorPrototype.toArray !== 'function') {
    Object.defineProperty(iteratorPrototype, 'toArray', {
      value() {
        return [...this];
      },
      configurable: true,
      writable: true,
    });
  }
}

export default defineConfig({
  name: 'netscale',
  // The gate reads the results again and writes its own small report: not over the one just generated.
  output: qualityGateRun ? join(tmpdir(), 'netscale-allure-quality-gate') : './reports/allure-report',
  historyPath: './reports/history.jsonl',
  historyLimit: 30,
  // Each `npm run report` adds one point to Allure's history: the generate's, not the gate's too.
  appendHistory: !qualityGateRun,
  // Any failed or broken test fails `npm run report` (after the report is built), so a nightly job
  // that publishes the report still ends red.
  qualityGate: { rules: [{ maxFailures: 0 }] },
  plugins: {
    awesome: { options: { singleFile: false, reportLanguage: 'en', groupBy: ['epic', 'feature', 'story'] } },
  },
});
