/** gobgpd's TOML config for the device under test: every neighbor passive, IPv4 unicast, accept all. */
import type { BgpNeighbor } from './bgp-daemon.ts';

export interface GobgpConfig {
  localAs: number;
  routerId: string;
  address: string;
  port: number;
  holdTimeSeconds: number;
  neighbors: readonly BgpNeighbor[];
}

/**
 * gobgpd keeps a neighbor idle for idle-hold-time-after-reset seconds (30 by default) after it went
 * down; 1 s lets a flapped peer come back at once. GoBGP's default import and export policies accept
 * every route, so the monitor gets everything.
 */
export const GOBGP_IDLE_HOLD_AFTER_RESET_S = 1;

export function gobgpConfig(c: GobgpConfig): string {
  const neighbors = c.neighbors.map(
    (n) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.as}
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.timers.config]
    hold-time = ${c.holdTimeSeconds}
    keepalive-interval = ${Math.max(1, Math.floor(c.holdTimeSeconds / 3))}
    idle-hold-time-after-reset = ${GOBGP_IDLE_HOLD_AFTER_RESET_S}
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`,
  );
  return `[global.config]
  as = ${c.localAs}
  router-id = "${c.routerId}"
  port = ${c.port}
  local-address-list = ["${c.address}"]
${neighbors.join('')}`;
}
