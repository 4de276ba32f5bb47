import { describe, expect, it } from 'vitest';
import { defaultThresholds, defaultThroughputThresholds } from '../../lib/thresholds/default-thresholds.ts';
import { ThresholdSet } from '../../lib/thresholds/threshold-set.ts';

describe('default thresholds', () => {
  it('BGP: generous limits on peers, adds and deletes; re-convergence only for flaps', () => {
    const common = {
      peers_up_time: '< 60s',
      prefix_add_time: '< 60s',
      prefix_delete_time: '< 60s',
      prefixes_per_second: '> 0/s',
    };
    expect(defaultThresholds({ kind: 'add' })).toEqual(common);
    expect(defaultThresholds({ kind: 'add_and_hold', holdSeconds: 10 })).toEqual(common);
    expect(defaultThresholds({ kind: 'add_and_flap', flaps: 3 })).toEqual({
      ...common,
      reconvergence_time: '< 60s',
    });
  });

  it('every default is a valid threshold of its domain', () => {
    const bgp = ThresholdSet.from({
      domain: 'bgp',
      defaults: defaultThresholds({ kind: 'add_and_flap', flaps: 1 }),
    });
    expect(bgp.metrics()).toHaveLength(5);
    const throughput = ThresholdSet.from({ domain: 'throughput', defaults: defaultThroughputThresholds() });
    expect(throughput.list()).toMatchObject([{ metric: 'frame_loss', op: '<=', value: 0.001, unit: '%' }]);
  });

  it('hands out a copy: changing one result does not change the next', () => {
    const first = defaultThresholds({ kind: 'add' });
    first.peers_up_time = '< 1s';
    expect(defaultThresholds({ kind: 'add' }).peers_up_time).toBe('< 60s');
  });
});
