/**
 * Where a BGP daemon under test and its peers run: the DUT side (the daemon) and the peers side (load
 * generator peers and one monitor peer), each reached through a Host. Two implementations share this
 * shape: network namespaces joined by a veth pair (root), and loopback addresses in the current
 * namespace with unprivileged ports (anyone).
 */
import type { Host } from '../hosts/host.ts';

export type TopologyKind = 'netns' | 'loopback';

export interface TopologyOptions {
  /** Number of generator peers; the peers side gets this many addresses plus one for the monitor. */
  peers: number;
  /** Run id every process started on either side is tagged with. */
  runTag: string;
}

export interface DaemonTopology {
  readonly kind: TopologyKind;
  /** Short id unique per topology, part of every name it makes ("nsc-<id>-dut"). */
  readonly id: string;
  /** The namespaces it made; undefined for the loopback topology. */
  readonly namespaces: { readonly dut: string; readonly peers: string } | undefined;
  /** Runs commands where the daemon lives (inside the dut namespace, or this machine). */
  readonly dutHost: Host;
  /** Runs commands where generator and monitor live (inside the peers namespace, or this machine). */
  readonly peersHost: Host;
  /** The daemon's address: 198.18.0.1 in namespaces, 127.18.0.1 on loopback. */
  readonly dutAddress: string;
  /** The daemon's BGP port: 179 in namespaces, a free unprivileged port on loopback. */
  readonly bgpPort: number;
  /** One source address per generator peer: 198.18.1.1, 198.18.1.2, ... (127.18.1.1, ... on loopback). */
  readonly peerAddresses: readonly string[];
  /**
   * The NEXT_HOP each generator peer announces (same index as peerAddresses): its own address in
   * namespaces. On loopback the netns plan's 198.18.1.x instead: daemons reject loopback next hops as
   * martians (FRR answers "Invalid NEXT_HOP", GoBGP drops the routes silently).
   */
  readonly peerNextHops: readonly string[];
  /** The monitor peer's source address: 198.18.0.2 (127.18.0.2 on loopback). */
  readonly monitorAddress: string;
  /** A TCP port free on the DUT side, for a daemon's own API (GoBGP's gRPC). */
  allocatePort(): Promise<number>;
  /** Removes everything the topology made (namespaces, veth pair, keeper). Idempotent. */
  delete(): Promise<void>;
}
