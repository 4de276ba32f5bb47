/** Child process for the keeper test: makes a namespace topology, prints its namespaces, then waits to be killed. */
import { createNetnsTopology } from '../../lib/daemons/netns-topology.ts';

const t = await createNetnsTopology({
  peers: 1,
  runTag: process.env.NETSCALE_RUN_ID ?? `keeper-${process.pid}`,
});
console.log(`topology ${t.id} ${t.namespaces?.dut} ${t.namespaces?.peers}`);
setInterval(() => {}, 60_000);
