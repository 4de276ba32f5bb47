/**
 * Default thresholds, the `defaults` of ThresholdSet.from. A scenario file's `thresholds:` and
 * NETSCALE_THRESHOLD_<METRIC> env vars override them; `off` removes one.
 *
 * API:
 * - `defaultThresholds(operation)`: the BGP scale scenarios', by operation (domain 'bgp').
 * - `defaultThroughputThresholds()`: the throughput suites' (domain 'throughput').
 *
 * The BGP defaults are generous on purpose: they catch a control node that does not converge, not one
 * that is a few percent slower. Tighten them per lab in the scenario file. The throughput default is
 * the loss goal the throughput suites assert.
 */
import type { Operation } from '../scenario/schema.ts';
import type { ThresholdExpressions } from './threshold-set.ts';

const common: ThresholdExpressions = {
  peers_up_time: '< 60s',
  prefix_add_time: '< 60s',
  prefix_delete_time: '< 60s',
  prefixes_per_second: '> 0/s',
};

export function defaultThresholds(operation: Operation): ThresholdExpressions {
  if (operation.kind === 'add_and_flap') return { ...common, reconvergence_time: '< 60s' };
  return { ...common };
}

export function defaultThroughputThresholds(): ThresholdExpressions {
  return { frame_loss: '<= 0.001%' };
}
