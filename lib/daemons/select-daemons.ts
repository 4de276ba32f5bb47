/**
 * Which daemons a run measures: the scenario's `bgpDaemon.duts`, or the one NETSCALE_DUT names (which must
 * be among them). A bad name is an error naming the variable and what was expected, before anything starts.
 */
import { BGP_DAEMON_KINDS, type BgpDaemonKind } from './bgp-daemon.ts';

export function selectDaemons(
  duts: readonly BgpDaemonKind[],
  env: NodeJS.ProcessEnv = process.env,
): BgpDaemonKind[] {
  const picked = env.NETSCALE_DUT?.trim();
  if (!picked) return [...duts];
  const names = picked.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(BGP_DAEMON_KINDS as readonly string[]).includes(n))
      throw new Error(
        `NETSCALE_DUT: expected ${BGP_DAEMON_KINDS.join(', ')} (comma-separated), found "${n}"`,
      );
    if (!duts.includes(n as BgpDaemonKind))
      throw new Error(`NETSCALE_DUT: ${n} is not among the scenario's bgpDaemon.duts (${duts.join(', ')})`);
  }
  return names as BgpDaemonKind[];
}
