/**
 * The emulated MX's state, derived from the control node's view: one BGP peer (the control node) whose
 * session is Established while the control node keeps BGP sessions — and, when the router knows its own
 * bgp-router name, only once the control node is configured to peer with it — and whose VPN routes are
 * then exactly the prefixes the control node re-advertises. A session that is down holds no routes.
 */
import type { ViewResult } from './router-view.ts';

export interface RouterIdentity {
  /** This router's address (Local:, Router ID). */
  localAddress: string;
  asn: number;
  /** Its bgp-router name on the control node (provision_mx.py's router_name), when the session depends on it. */
  peerName: string | undefined;
}

export interface PeerState {
  address: string;
  asn: number;
  established: boolean;
  /** Received = accepted = active: the router takes every VPN route the control node sends. */
  vpnPrefixes: number;
}

export interface RouterState {
  identity: RouterIdentity;
  peer: PeerState;
}

export function routerState(
  identity: RouterIdentity,
  result: ViewResult,
  fallbackPeerAddress: string,
): RouterState {
  if (!result.reachable) {
    return {
      identity,
      peer: { address: fallbackPeerAddress, asn: identity.asn, established: false, vpnPrefixes: 0 },
    };
  }
  const v = result.view;
  const configured = identity.peerName === undefined || v.peers.some((p) => p.name === identity.peerName);
  const established = v.bgp.up && configured;
  return {
    identity,
    peer: {
      address: v.address,
      asn: v.asn,
      established,
      vpnPrefixes: established ? v.prefixes : 0,
    },
  };
}
