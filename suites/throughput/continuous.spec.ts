/** Continuous traffic at a fixed rate: loss and latency at 50 % of line rate, and start/stop traffic. */
import { describe } from 'vitest';
import { expect, test } from 'netscale/fixtures';
import {
  trafficSpec,
  vsperfThroughput,
  attachFrameSizeTable,
  attachLogs,
  reportFrameSizeSweep,
} from 'netscale';

describe('continuous traffic', () => {
  test('50 % of line rate at 512 B, bidirectional, for 60 s', async ({ trafficGenerator }) => {
    const r = await trafficGenerator.sendContTraffic(
      trafficSpec({ frameRatePct: 50, bidir: true, l2: { frameSize: 512 } }),
      {
        durationS: 60,
        latency: true,
      },
    );
    const row = { frameSize: 512, values: vsperfThroughput(r) };
    await attachFrameSizeTable('continuous 50 %', row);
    await attachLogs(r.logs);
    await reportFrameSizeSweep('continuous-50pct', [row], {
      key: 'throughput_rx_percent',
      title: 'Continuous traffic Rx (% of line rate)',
    });
    expect(r.lossPct).toMeetThreshold('<= 0.001%');
    expect(r.rxPctLineRate).toMeetThreshold('>= 49.9%');
    expect(r.latencyNs!.max / 1e9).toMeetThreshold('< 1ms');
  });

  test('start, run and stop continuous traffic', async ({ trafficGenerator }) => {
    await trafficGenerator.startContTraffic(trafficSpec({ frameRatePct: 30 }));
    await new Promise((r) => setTimeout(r, 1000));
    const r = await trafficGenerator.stopContTraffic();
    expect(r.txFrames).toBeGreaterThan(0);
    expect(r.lossPct).toMeetThreshold('<= 0.001%');
  });
});
