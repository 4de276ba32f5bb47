/**
 * RFC 2544 throughput over the standard frame sizes with the multi-goal
 * search (NDR and PDR), thresholds on loss and % of line rate, and latency at
 * the throughput rate.
 */
import { describe } from 'vitest';
import { expect, test } from 'netscale/fixtures';
import {
  RFC2544_FRAME_SIZES,
  trafficSpec,
  searchProgressLine,
  attachFrameSizeTable,
  attachLogs,
  attachSearchTrace,
  reportFrameSizeSweep,
  type FrameSizeRow,
} from 'netscale';

const rows: FrameSizeRow[] = [];

describe('RFC 2544 throughput', () => {
  test.for(RFC2544_FRAME_SIZES.map((frameSize) => ({ frameSize })))(
    'throughput at $frameSize B',
    async ({ frameSize }, { trafficGenerator }) => {
      const progress = searchProgressLine(`${frameSize} B`);
      const r = await trafficGenerator.rfc2544Throughput(trafficSpec({ l2: { frameSize }, bidir: true }), {
        durationS: 60,
        search: 'multi-goal',
        relativeWidth: 0.005,
        latency: true,
        onTrial: progress.onTrial,
      });
      progress.done();
      const pdr = r.goals?.[1]?.lowerMpps ?? NaN;
      const row = {
        frameSize,
        values: { ...r.vsperf, throughput_mpps: r.throughputMpps ?? NaN, pdr_mpps: pdr },
      };
      rows.push(row);
      await attachFrameSizeTable('RFC 2544 throughput', row);
      await attachSearchTrace(`${frameSize} B`, r.trials);
      await attachLogs(r.result?.logs ?? {});
      expect(r.result, 'a trial passed at the throughput rate').not.toBeNull();
      expect(r.result!.lossPct).toMeetThreshold('<= 0.001%');
      // The embedded lab's DUT forwards at least 67 % of 10 G line rate at every frame size.
      expect(r.vsperf.throughput_rx_percent).toMeetThreshold('>= 60%');
      expect(r.result!.latencyNs!.avg / 1e9).toMeetThreshold('< 1ms');
    },
  );

  test('throughput vs frame size chart and archive', async () => {
    expect(rows.length).toBe(RFC2544_FRAME_SIZES.length);
    rows.sort((a, b) => a.frameSize - b.frameSize);
    await reportFrameSizeSweep('rfc2544-throughput', rows, {
      key: 'throughput_rx_percent',
      title: 'Throughput (% of line rate) vs frame size',
    });
  });
});
