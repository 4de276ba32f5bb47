/** FRR bgpd's config for the device under test: passive neighbors, IPv4 unicast, no policy needed. */
import type { BgpNeighbor } from './bgp-daemon.ts';

export interface FrrConfig {
  localAs: number;
  routerId: string;
  holdTimeSeconds: number;
  neighbors: readonly BgpNeighbor[];
  /** Prefixes bgpd logs when it takes them in or withdraws them, stamped to the microsecond. */
  watchPrefixes?: readonly string[];
}

export function frrConfig(c: FrrConfig): string {
  const neighbors = c.neighbors.flatMap((n) => [
    ` neighbor ${n.address} remote-as ${n.as}`,
    ` neighbor ${n.address} passive`,
    // Without zebra bgpd knows no interfaces, so it cannot tell a directly connected eBGP peer.
    ` neighbor ${n.address} disable-connected-check`,
  ]);
  const activate = c.neighbors.map((n) => `  neighbor ${n.address} activate`);
  const watch = c.watchPrefixes ?? [];
  // A watched prefix turns update debugging on for itself alone. `debug bgp updates in` would turn it on
  // for every prefix (the filter widens, it does not narrow): 100,000 more lines at 10 x 10,000.
  const debug = watch.length
    ? ['log timestamp precision 6', ...watch.map((p) => `debug bgp updates prefix ${p}`)]
    : [];
  return `frr defaults traditional
hostname netscale-dut
log stdout informational
${debug.map((l) => `${l}\n`).join('')}!
router bgp ${c.localAs}
 bgp router-id ${c.routerId}
 ! eBGP without policy would accept and send nothing (RFC 8212); nothing to check networks against without zebra.
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp ${Math.max(1, Math.floor(c.holdTimeSeconds / 3))} ${c.holdTimeSeconds}
${neighbors.join('\n')}
 !
 address-family ipv4 unicast
${activate.join('\n')}
 exit-address-family
!
`;
}
