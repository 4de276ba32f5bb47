/**
 * A milestone the daemon stamped itself. The watched prefixes are the last each generator peer sends, so
 * the latest of their stamps after the milestone's start (taken in for routes_complete, withdrawn for
 * all_withdrawn) is the moment the daemon held, or had dropped, everything. Where it meets the poller's
 * bracket, the figure is their overlap (each bounds the same moment); the poller's samples are the check
 * on the daemon's record, and a stamp outside them leaves the bracket standing with a note that says so.
 */
import type { DaemonRouteRecord } from '../daemons/bgp-daemon.ts';
import type { Milestone, MilestoneSpec } from '../measure/milestones.ts';

const STAMPED: Readonly<Record<string, 'announce' | 'withdraw'>> = {
  routes_complete: 'announce',
  all_withdrawn: 'withdraw',
};

export function milestoneFromRecord(o: {
  polled: Milestone | undefined;
  spec: MilestoneSpec;
  record: DaemonRouteRecord;
  watched: readonly string[];
}): { milestone: Milestone | undefined; note?: string } {
  const { polled, spec, record } = o;
  const kind = STAMPED[spec.name];
  const what = kind === 'announce' ? 'its last prefix taken in' : 'its last prefix withdrawn';
  const after = spec.after;
  if (!polled || !kind || after === undefined || o.watched.length === 0) return { milestone: polled };
  const events = record.events();
  // Each stamp is an interval [t - r, t + r]; the last of them ended somewhere between the latest start
  // and the latest end.
  let lo = -Infinity;
  let hi = -Infinity;
  for (const prefix of o.watched) {
    // The first that may have happened after the start (a wide interval's middle may lie before it).
    const e = events.find(
      (x) => x.prefix === prefix && x.kind === kind && x.t + (x.resolutionMs ?? record.resolutionMs) >= after,
    );
    // Not every watched prefix moved (a churn of other prefixes): the record does not cover this one.
    if (!e) return { milestone: polled };
    const r = e.resolutionMs ?? record.resolutionMs;
    lo = Math.max(lo, e.t - r);
    hi = Math.max(hi, e.t + r);
  }
  const polledLo = polled.lo ?? after;
  if (hi < polledLo || lo > polled.t) {
    const s = (ms: number) => `${((ms - after) / 1000).toFixed(3)} s`;
    return {
      milestone: polled,
      note:
        `${record.via}: the daemon stamped ${what} at ${s((lo + hi) / 2)}, outside what its answers showed ` +
        `(between ${s(polledLo)} and ${s(polled.t)}); the figure uses its answers`,
    };
  }
  // Both are bounds on the same moment: the figure keeps the tighter of each.
  const from = Math.max(lo, polledLo);
  const to = Math.min(hi, polled.t);
  return {
    milestone: {
      name: polled.name,
      t: to,
      wall: polled.wall + (to - polled.t),
      lo: from,
      uncertaintyMs: to - from,
    },
  };
}
