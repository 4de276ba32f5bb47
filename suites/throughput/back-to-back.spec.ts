/** RFC 2544 back-to-back: the longest burst at line rate the DUT takes without loss. */
import { describe } from 'vitest';
import { expect, test } from 'netscale/fixtures';
import {
  trafficSpec,
  attachFrameSizeTable,
  attachLogs,
  attachSearchTrace,
  reportFrameSizeSweep,
} from 'netscale';

describe('RFC 2544 back-to-back', () => {
  test('longest lossless burst at 64 B', async ({ trafficGenerator }) => {
    const r = await trafficGenerator.rfc2544BackToBack(trafficSpec({ l2: { frameSize: 64 } }), {
      durationS: 2,
      tests: 2,
    });
    const row = { frameSize: 64, values: r.vsperf };
    await attachFrameSizeTable('RFC 2544 back-to-back', row);
    await attachSearchTrace('back-to-back 64 B', r.trials);
    await attachLogs(r.logs);
    await reportFrameSizeSweep('rfc2544-back-to-back', [row], {
      key: 'b2b_frames',
      title: 'Back-to-back frames vs frame size',
    });
    expect(r.b2bFrames).toMeetThreshold('>= 1000');
  });
});
