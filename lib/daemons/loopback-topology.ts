/**
 * The unprivileged topology: daemon and peers share this machine's network namespace. Every address is
 * in 127.18.0.0/16 (Linux routes all of 127/8 to lo, so nothing is configured) and the daemon listens on
 * a free port above 1024, so several runs coexist and no root is needed.
 */
import { randomBytes } from 'node:crypto';
import { LocalHost } from '../hosts/local-host.ts';
import { freePort } from './free-port.ts';
import { addressPlan } from './topology-addresses.ts';
import type { DaemonTopology, TopologyOptions } from './topology.ts';

export async function createLoopbackTopology(opts: TopologyOptions): Promise<DaemonTopology> {
  const plan = addressPlan('127.18', opts.peers);
  const id = randomBytes(4).toString('hex').slice(0, 6);
  const host = new LocalHost({ name: `loopback-${id}`, runTag: opts.runTag });
  return {
    kind: 'loopback',
    id,
    namespaces: undefined,
    dutHost: host,
    peersHost: host,
    dutAddress: plan.dut,
    bgpPort: await freePort(plan.dut),
    peerAddresses: plan.peers,
    peerNextHops: addressPlan('198.18', opts.peers).peers,
    monitorAddress: plan.monitor,
    allocatePort: () => freePort('127.0.0.1'),
    delete: async () => {},
  };
}
