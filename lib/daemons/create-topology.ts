/** The topology a run gets: namespaces when this process can make them, loopback otherwise. */
import { createLoopbackTopology } from './loopback-topology.ts';
import { createNetnsTopology, namespacesUsable } from './netns-topology.ts';
import type { DaemonTopology, TopologyKind, TopologyOptions } from './topology.ts';

export async function createTopology(
  opts: TopologyOptions & { kind?: TopologyKind },
): Promise<DaemonTopology> {
  const kind = opts.kind ?? ((await namespacesUsable()) ? 'netns' : 'loopback');
  return kind === 'netns' ? createNetnsTopology(opts) : createLoopbackTopology(opts);
}
