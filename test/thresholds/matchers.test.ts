import { beforeAll, describe, expect, it } from 'vitest';
import { ThresholdSet, parseThreshold, registerThresholdMatchers } from '../../lib/thresholds/matchers.ts';

beforeAll(() => registerThresholdMatchers());

describe('threshold matchers', () => {
  it('toMeetThreshold passes and fails with the threshold message', () => {
    expect(12).toMeetThreshold('< 30s');
    expect(95).not.toMeetThreshold(parseThreshold('cpu_peak', '<= 80%'));
    expect(() =>
      expect({ value: 41.2, resolution: 0.05 }).toMeetThreshold(parseThreshold('prefix_add_time', '< 30s')),
    ).toThrow('prefix_add_time: measured 41.2 s (±0.05 s) is not < 30 s');
  });

  it('toMeetThresholds lists every failure in one message', () => {
    const set = ThresholdSet.from({
      defaults: { prefix_add_time: '< 1s', cpu_peak: '<= 80%', prefixes_per_second: '>= 10/s' },
    });
    expect({ prefix_add_time: 0.5, cpu_peak: 10, prefixes_per_second: 20 }).toMeetThresholds(set);
    let message = '';
    try {
      expect({ prefix_add_time: 2, cpu_peak: 99 }).toMeetThresholds(set);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('3 of 3 thresholds failed');
    expect(message).toContain('prefix_add_time: measured 2 s is not < 1 s');
    expect(message).toContain('cpu_peak: measured 99% is not <= 80%');
    expect(message).toContain('prefixes_per_second: no measurement');
  });

  it('accepts a plain map of expressions', () => {
    expect({ peers_up_time: 3 }).toMeetThresholds({ peers_up_time: '< 10s' });
    expect({ peers_up_time: 30 }).not.toMeetThresholds({ peers_up_time: '< 10s' });
  });

  it('a plain map may name keys outside the metric catalogue, e.g. vsperf result keys', () => {
    expect({ frame_loss_percent: 0 }).toMeetThresholds({ frame_loss_percent: '<= 0.001%' });
    expect({ frame_loss_percent: 0.5 }).not.toMeetThresholds({ frame_loss_percent: '<= 0.001%' });
    expect({ frame_loss_percent: 0.5 }).toMeetThresholds({ frame_loss_percent: 'off' });
  });
});
