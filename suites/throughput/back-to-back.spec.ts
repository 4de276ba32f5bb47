/**
 * RFC 2544 back-to-back: the longest burst at line rate the DUT takes without loss
 * (scenarios/throughput/back-to-back.yaml).
 */
import { expect, test } from 'netscale/fixtures';

test.override({ throughputScenarioFile: 'scenarios/throughput/back-to-back.yaml' });

test('longest lossless burst', async ({ throughput }) => {
  const result = await throughput.run();
  for (const row of result.frameSizes) {
    const label = `${row.frameSize} B`;
    expect.soft(row.measurements, label).toMeetThresholds(row.thresholds);
    // b2b_frames has no metric-catalogue name yet, so no scenario-file threshold can hold it.
    expect.soft(row.extras, label).toMeetThresholds({ b2b_frames: '>= 1000' });
  }
});
