// The framework's own tests share the Allure report with the scenarios: file them under their own epic
// so a report reviewer finds the lab results (epic "BGP scale", "Throughput") without scrolling past them.
import { epic } from 'allure-js-commons';
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await epic('netscale framework self-tests');
});
