/** `show bgp neighbor` as Junos prints it, for the emulated router's one peer. */
import type { RouterState } from './router-state.ts';

export const VPN_TABLE = 'bgp.l3vpn.0';

export function showBgpNeighbor(s: RouterState, onlyPeer?: string): string {
  const { peer, identity } = s;
  if (onlyPeer !== undefined && onlyPeer !== peer.address) return '';
  const lines = peer.established
    ? [
        `Peer: ${peer.address}+179 AS ${peer.asn}  Local: ${identity.localAddress}+51234 AS ${identity.asn}`,
        '  Group: contrail             Routing-Instance: master',
        '  Forwarding routing-instance: master',
        '  Type: Internal    State: Established    Flags: <Sync>',
        '  Last State: OpenConfirm   Last Event: RecvKeepAlive',
        '  Last Error: None',
        '  Options: <Preference LocalAddress HoldTime AddressFamily Refresh>',
        '  Address families configured: inet-vpn-unicast route-target',
        `  Local Address: ${identity.localAddress} Holdtime: 90 Preference: 170`,
        '  Number of flaps: 0',
        `  Peer ID: ${peer.address.padEnd(16)}Local ID: ${identity.localAddress.padEnd(16)}Active Holdtime: 90`,
        '  Keepalive Interval: 30         Group index: 0    Peer index: 0    SNMP index: 1',
        '  I/O Session Thread: bgpio-0 State: Enabled',
        '  BFD: disabled, down',
        '  NLRI for restart configured on peer: inet-vpn-unicast route-target',
        '  NLRI advertised by peer: inet-vpn-unicast route-target',
        '  NLRI for this session: inet-vpn-unicast route-target',
        '  Peer supports Refresh capability (2)',
        '  Peer does not support Restarter functionality',
        `  Peer supports 4 byte AS extension (peer-as ${peer.asn})`,
        '  Peer does not support Addpath',
        `  Table ${VPN_TABLE} Bit: 20000`,
        '    RIB State: BGP restart is complete',
        '    RIB State: VPN restart is complete',
        '    Send state: in sync',
        counter('Active prefixes', peer.vpnPrefixes),
        counter('Received prefixes', peer.vpnPrefixes),
        counter('Accepted prefixes', peer.vpnPrefixes),
        counter('Suppressed due to damping', 0),
        counter('Advertised prefixes', 0),
        '  Last traffic (seconds): Received 1    Sent 1    Checked 1',
        `  Output Queue[2]: 0            (${VPN_TABLE}, inet-vpn-unicast)`,
      ]
    : [
        `Peer: ${peer.address} AS ${peer.asn}  Local: ${identity.localAddress} AS ${identity.asn}`,
        '  Group: contrail             Routing-Instance: master',
        '  Forwarding routing-instance: master',
        '  Type: Internal    State: Active         Flags: <>',
        '  Last State: Idle          Last Event: Start',
        '  Last Error: None',
        '  Options: <Preference LocalAddress HoldTime AddressFamily Refresh>',
        '  Address families configured: inet-vpn-unicast route-target',
        `  Local Address: ${identity.localAddress} Holdtime: 90 Preference: 170`,
        '  Number of flaps: 0',
      ];
  return lines.join('\n') + '\n\n';
}

function counter(name: string, n: number): string {
  return `    ${`${name}:`.padEnd(30)}${n}`;
}
