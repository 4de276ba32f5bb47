// Allure Report 3 configuration for `npm run report`.
// History is kept as JSONL beside the results so nightly runs show trends.
import { defineConfig } from 'allure';

export default defineConfig({
  name: 'netscale',
  output: './reports/allure-report',
  historyPath: './reports/history.jsonl',
  historyLimit: 30,
  plugins: {
    awesome: { options: { singleFile: false, reportLanguage: 'en', groupBy: ['epic', 'feature', 'story'] } },
  },
});
