/**
 * RFC 2544 throughput over the standard frame sizes with the multi-goal search (NDR and PDR), and
 * latency at the throughput rate (scenarios/throughput/rfc2544-throughput.yaml): thresholds on loss,
 * % of line rate and latency; the chart over frame sizes comes from the archived scenario record.
 */
import { expect, test } from 'netscale/fixtures';

test.override({ throughputScenarioFile: 'scenarios/throughput/rfc2544-throughput.yaml' });

test('RFC 2544 throughput at every frame size', async ({ throughput }) => {
  const result = await throughput.run();
  expect(result.frameSizes.map((row) => row.frameSize)).toEqual(throughput.scenario.frameSizes);
  for (const row of result.frameSizes) {
    expect.soft(row.measurements, `${row.frameSize} B`).toMeetThresholds(row.thresholds);
  }
});
