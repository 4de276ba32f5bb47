/**
 * Continuous traffic at a fixed rate (scenarios/throughput/continuous.yaml): loss, received rate and
 * latency for the scenario's duration, and the same traffic started, left running and stopped.
 */
import { expect, test } from 'netscale/fixtures';

test.override({ throughputScenarioFile: 'scenarios/throughput/continuous.yaml' });

test('continuous traffic for the whole duration', async ({ throughput }) => {
  const result = await throughput.run();
  for (const row of result.frameSizes) {
    expect.soft(row.measurements, `${row.frameSize} B`).toMeetThresholds(row.thresholds);
  }
});

test('start, run and stop continuous traffic', async ({ throughput }) => {
  const result = await throughput.startStop();
  for (const row of result.frameSizes) {
    expect
      .soft(row.measurements.throughput_rx_fps?.value, `${row.frameSize} B: frames received`)
      .toBeGreaterThan(0);
    expect.soft(row.measurements, `${row.frameSize} B`).toMeetThresholds(row.thresholds);
  }
});
