/** Child for the crash test: creates a data plane, prints its pid and namespaces, then waits to be killed. */
import { LocalHost } from '../../../lib/hosts/local-host.ts';
import { NetnsDataplane } from '../../../lib/dataplane/netns-dataplane.ts';

const host = new LocalHost({ runTag: `dataplane-crash-${process.pid}` });
void NetnsDataplane.create(host, { dut: 'router', rateLimitMbit: 100 }).then((dp) => {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, namespaces: Object.values(dp.namespaces) })}\n`);
  setInterval(() => {}, 1000);
});
