import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { generateRunId } from './lib/run/run-id.ts';
import { runnerInterruptPlugin } from './lib/run/runner-interrupt-plugin.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One run id for the whole `vitest run`: every worker inherits it, so all suites share one
// run archive and the reaper can tell this run's processes from an earlier crashed run's.
process.env.NETSCALE_RUN_ID ??= generateRunId();

// Suites import netscale the way a lab team's own repository would.
const alias = {
  'netscale/fixtures': here('./fixtures/index.ts'),
  'netscale/matchers': here('./lib/thresholds/matchers.ts'),
  netscale: here('./lib/index.ts'),
};

// Tests whose figures need the machine to themselves (the `quiet` project).
const quietMachineTests = ['test/daemons/add-resolution.test.ts'];

// `vitest run suites/bgp` is the Contrail main job, but Vitest matches file filters as substrings, so it
// would also run suites/bgp-daemons. That one filter leaves the daemon suites out; any other run keeps them.
const contrailMainJob = process.argv.some((a) => /^(\.\/)?suites\/bgp\/?$/.test(a));

export default defineConfig({
  resolve: { alias },
  // Ctrl-C: the runner waits for its workers to stop the run's processes and revert its lab changes.
  plugins: [runnerInterruptPlugin()],
  test: {
    // Most test time is spent waiting on processes, sockets and daemons, not computing: at least two files
    // at a time (Vitest's own default, cores - 1, runs one at a time on a 2-core machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: [
      'default',
      // Machine-readable totals (CI prints its closing line from them).
      ['json', { outputFile: 'reports/vitest-results.json' }],
      [
        'allure-vitest/reporter',
        {
          resultsDir: 'reports/allure-results',
          links: { issue: { urlTemplate: '%s' } },
        },
      ],
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...quietMachineTests, ...configDefaults.exclude],
          setupFiles: ['allure-vitest/setup', './test/support/allure-framework-label.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // A resolution is a property of the measurement on a machine doing nothing else: these run on
          // their own, one at a time, after the framework tests and before the suites (Vitest runs groups in
          // order; on 2 busy cores a daemon's loop stalls for tens of ms).
          name: 'quiet',
          include: quietMachineTests,
          setupFiles: ['allure-vitest/setup', './test/support/allure-framework-label.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'bgp',
          include: ['suites/bgp/**/*.spec.ts'],
          setupFiles: ['allure-vitest/setup', './fixtures/setup.ts'],
          // A lab is shared state: scenarios run one at a time.
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'bgp-daemons',
          include: contrailMainJob ? [] : ['suites/bgp-daemons/**/*.spec.ts'],
          setupFiles: ['allure-vitest/setup', './fixtures/setup.ts'],
          // Daemons, generators and monitors share the machine's cores: one scenario at a time.
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'throughput',
          include: ['suites/throughput/**/*.spec.ts'],
          setupFiles: ['allure-vitest/setup', './fixtures/setup.ts'],
          fileParallelism: false,
          testTimeout: 60 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
    ],
  },
});
