/**
 * The Observation a device hands the pipeline over an IntrospectPoller: its series, hot kinds and latest
 * state, and milestones whose lower bound is widened to the request that could first have shown them.
 * `via` names the requests in notes ("introspect", "bird state").
 */
import type { IntrospectPoller } from '../measure/introspect-poller.ts';
import { deriveMilestone, widenToRequest } from '../measure/milestones.ts';
import type { Observation } from './dut.ts';

export function pollerObservation(poller: IntrospectPoller, via: string): Observation {
  return {
    series: poller.series,
    start: () => poller.start(),
    stop: () => poller.stop(),
    hot: (kinds) => poller.setHot(kinds),
    latest: () => {
      const s = poller.snapshot();
      return {
        peersUp: s.peersUp ?? 0,
        prefixes: s.prefixes ?? 0,
        pendingUpdates: s.pendingUpdates ?? 0,
        t: s.t,
      };
    },
    milestone: (spec, kind) =>
      widenToRequest(
        deriveMilestone(spec, Object.values(poller.series)),
        kind === 'peers' ? poller.series.peersRequestMs : poller.series.routesRequestMs,
      ),
    requests: () => ({ via, made: poller.requests, failed: poller.errors, lastError: poller.lastError }),
  };
}
