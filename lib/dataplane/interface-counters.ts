/**
 * Interface and qdisc counters of a namespace, read before and after each trial (counters are not per
 * frame size: one trial at a time, deltas only).
 *
 *   ip -n NS -s -j link show DEV   -> [{ ifname, stats64: { rx: {packets, bytes, dropped}, tx: {...} } }]
 *   tc -n NS -s -j qdisc show dev DEV -> [{ kind, packets, bytes, drops, overlimits, backlog, qlen }]
 */

export interface LinkCounters {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

export interface QdiscCounters {
  kind: string;
  packets: number;
  drops: number;
  overlimits: number;
}

type Json = Record<string, unknown>;

function num(o: Json | undefined, key: string, source: string): number {
  const v = o?.[key];
  if (typeof v !== 'number')
    throw new Error(`${source}: expected a number at ${key}, found ${JSON.stringify(v)}`);
  return v;
}

/** Counters of the one link in `ip -s -j link show DEV` output. */
export function parseLinkCounters(text: string, source: string): LinkCounters {
  const parsed: unknown = JSON.parse(text);
  const link = Array.isArray(parsed) ? (parsed[0] as Json | undefined) : undefined;
  const stats = link?.stats64 as Json | undefined;
  if (!stats) throw new Error(`${source}: expected [{ stats64: {...} }], found ${text.slice(0, 200)}`);
  const rx = stats.rx as Json | undefined;
  const tx = stats.tx as Json | undefined;
  return {
    rxPackets: num(rx, 'packets', `${source} stats64.rx`),
    rxBytes: num(rx, 'bytes', `${source} stats64.rx`),
    rxDropped: num(rx, 'dropped', `${source} stats64.rx`),
    txPackets: num(tx, 'packets', `${source} stats64.tx`),
    txBytes: num(tx, 'bytes', `${source} stats64.tx`),
    txDropped: num(tx, 'dropped', `${source} stats64.tx`),
  };
}

/** The root qdisc's counters from `tc -s -j qdisc show dev DEV` (noqueue has none: zeros). */
export function parseQdiscCounters(text: string, source: string): QdiscCounters {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${source}: expected a JSON list, found ${text.slice(0, 200)}`);
  const root = (parsed as Json[]).find((q) => q.root === true) ?? (parsed as Json[])[0];
  if (!root) return { kind: 'none', packets: 0, drops: 0, overlimits: 0 };
  return {
    kind: String(root.kind),
    packets: typeof root.packets === 'number' ? root.packets : 0,
    drops: typeof root.drops === 'number' ? root.drops : 0,
    overlimits: typeof root.overlimits === 'number' ? root.overlimits : 0,
  };
}

export function linkDelta(before: LinkCounters, after: LinkCounters): LinkCounters {
  return {
    rxPackets: after.rxPackets - before.rxPackets,
    rxBytes: after.rxBytes - before.rxBytes,
    rxDropped: after.rxDropped - before.rxDropped,
    txPackets: after.txPackets - before.txPackets,
    txBytes: after.txBytes - before.txBytes,
    txDropped: after.txDropped - before.txDropped,
  };
}

export function qdiscDelta(before: QdiscCounters, after: QdiscCounters): QdiscCounters {
  return {
    kind: after.kind,
    packets: after.packets - before.packets,
    drops: after.drops - before.drops,
    overlimits: after.overlimits - before.overlimits,
  };
}
