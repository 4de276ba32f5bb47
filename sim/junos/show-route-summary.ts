/** `show route summary` as Junos prints it: the router's own interface routes plus the VPN routes it learned. */
import type { RouterState } from './router-state.ts';
import { VPN_TABLE } from './show-bgp-neighbor.ts';

interface Table {
  name: string;
  protocols: { protocol: string; routes: number }[];
}

export function showRouteSummary(s: RouterState, onlyTable?: string): string {
  const tables: Table[] = [
    {
      name: 'inet.0',
      protocols: [
        { protocol: 'Direct', routes: 2 },
        { protocol: 'Local', routes: 2 },
      ],
    },
    // Present once the family is configured, empty while the session is down.
    {
      name: VPN_TABLE,
      protocols: s.peer.vpnPrefixes > 0 ? [{ protocol: 'BGP', routes: s.peer.vpnPrefixes }] : [],
    },
  ];
  const lines = [`Autonomous system number: ${s.identity.asn}`, `Router ID: ${s.identity.localAddress}`, ''];
  for (const t of tables) {
    if (onlyTable !== undefined && t.name !== onlyTable) continue;
    const routes = t.protocols.reduce((a, p) => a + p.routes, 0);
    // One route per destination, all active: a single peer and nothing hidden.
    lines.push(
      `${t.name}: ${routes} destinations, ${routes} routes (${routes} active, 0 holddown, 0 hidden)`,
    );
    for (const p of t.protocols) {
      lines.push(
        `${p.protocol.padStart(20)}: ${String(p.routes).padStart(6)} routes, ${String(p.routes).padStart(6)} active`,
      );
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
