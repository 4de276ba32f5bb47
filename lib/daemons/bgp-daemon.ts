/**
 * A real BGP daemon as the device under test: the same contract for GoBGP, BIRD 2 and FRR, so a run
 * does not care which one it measures. start() returns the daemon's real configuration (after the
 * testcontainers idea of a started service), state() reads the daemon's own view through its own
 * interface, pid is the daemon process for /proc CPU and RSS sampling. A poller reads one kind at a
 * time (peersEstablished, prefixesFrom or ribPrefixes), each one cheap query on a connection the driver keeps open
 * (BIRD's control socket, bgpd's vty socket, gobgpd's gRPC API); state() is the full snapshot.
 */
import type { DaemonTopology } from './topology.ts';

export type BgpDaemonKind = 'gobgp' | 'bird' | 'frr';
export const BGP_DAEMON_KINDS: readonly BgpDaemonKind[] = ['gobgp', 'bird', 'frr'];

/** One neighbor of the daemon: its address (a source address on the peers side) and AS. */
export interface BgpNeighbor {
  address: string;
  as: number;
}

export interface BgpDaemonStartOptions {
  topology: DaemonTopology;
  localAs: number;
  /** Default: the topology's DUT address. */
  routerId?: string;
  /** The generator peers; every one may announce, everything is accepted. */
  peers: readonly BgpNeighbor[];
  /** The monitor peer: gets everything the daemon holds. */
  monitor: BgpNeighbor;
  /** Proposed hold time; default 90 s (keepalives every third of it). */
  holdTimeSeconds?: number;
  /** How long start() waits for the daemon to listen; default 20 s. */
  startTimeoutMs?: number;
  /**
   * Prefixes whose arrival and withdrawal the daemon should stamp in its own record, where it keeps one
   * (FRR's debug log; BIRD's import filter, arrivals only; GoBGP's update order, timed by probes): the last
   * prefix each generator peer sends, so the last stamp is the moment the daemon had taken in (or
   * withdrawn) everything.
   */
  watchPrefixes?: readonly string[];
}

/** What the daemon was really started with. */
export interface StartedBgpDaemon {
  kind: BgpDaemonKind;
  /** The address it listens on for BGP (its only address on the DUT side). */
  address: string;
  port: number;
  localAs: number;
  routerId: string;
  /** The daemon process itself (not a wrapper shell). */
  pid: number;
  /** The temp directory holding its config, sockets and pid file (removed by stop()). */
  dir: string;
}

/** RFC 4271 session states, in lower case whatever the daemon calls them; 'unknown' for anything else. */
export type BgpSessionState =
  'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established' | 'unknown';

export interface BgpDaemonPeerState {
  address: string;
  state: BgpSessionState;
  /** Prefixes the daemon holds from this peer (0 until any arrived). */
  prefixesReceived: number;
}

export interface BgpDaemonState {
  peersEstablished: number;
  /** Every configured neighbor, generator peers and monitor alike. */
  peers: BgpDaemonPeerState[];
  /** Distinct IPv4 unicast prefixes in the daemon's RIB. */
  ribPrefixes: number;
}

/** One watched prefix taken in or withdrawn, at the daemon's own time. */
export interface DaemonRouteEvent {
  prefix: string;
  kind: 'announce' | 'withdraw';
  /** The daemon's stamp on the monotonic clock (monotonicMs). */
  t: number;
  /** When this event is known less finely than the record's resolutionMs (± ms around t). */
  resolutionMs?: number;
}

/** A daemon's own record of its watched prefixes (BgpDaemonStartOptions.watchPrefixes). */
export interface DaemonRouteRecord {
  /** Where the stamps come from, for notes: "bgpd debug log". */
  readonly via: string;
  /** A stamp's finest resolution plus the error of putting it on the monotonic clock, ms. */
  readonly resolutionMs: number;
  /** Everything recorded so far, in the daemon's order. */
  events(): readonly DaemonRouteEvent[];
}

/**
 * Sends a probe from generator peer `peer`: an UPDATE withdrawing `prefix`, which it never announced.
 * Resolves with a moment before it was written (monotonicMs); rejects when it could not be.
 */
export type RouteProbe = (peer: string, prefix: string) => Promise<number>;

export interface BgpDaemon {
  readonly kind: BgpDaemonKind;
  /**
   * While it runs, when started with watchPrefixes and the daemon keeps such a record (FRR, BIRD), or
   * shows its order of work (GoBGP, which needs probeFrom to time it).
   */
  readonly routeRecord?: DaemonRouteRecord;
  /**
   * For a record timed by probes (GoBGP): from now on, and again after each start, probe from these
   * generator peers through `send` while the daemon runs.
   */
  probeFrom?(peers: readonly string[], send: RouteProbe): void;
  /** The daemon process's pid while it runs; undefined before start() and after stop(). */
  readonly pid: number | undefined;
  /** Writes the config, starts the daemon on the topology's DUT side, waits until it listens. */
  start(opts: BgpDaemonStartOptions): Promise<StartedBgpDaemon>;
  /** The daemon's own view of its sessions and RIB. */
  state(signal?: AbortSignal): Promise<BgpDaemonState>;
  /** How many of these neighbors (by address) have an Established session: one query. */
  peersEstablished(addresses: readonly string[], signal?: AbortSignal): Promise<number>;
  /** Distinct IPv4 unicast prefixes in the daemon's RIB: one query. */
  ribPrefixes(signal?: AbortSignal): Promise<number>;
  /**
   * IPv4 unicast prefixes the daemon holds from these neighbors, summed from its per-neighbor counters:
   * one query that never walks the RIB. A busy daemon answers it at once, where a RIB walk waits its
   * turn between route batches (BIRD's `show route count` took 0.5 s while 100,000 routes came in).
   */
  prefixesFrom(addresses: readonly string[], signal?: AbortSignal): Promise<number>;
  /** The daemon's version as it reports it ("3.10.0", "2.0.12", "8.4.4"). */
  version(): Promise<string>;
  /** Ends the daemon's process group (TERM, then KILL) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

const STATE_NAMES: Readonly<Record<string, BgpSessionState>> = {
  idle: 'idle',
  connect: 'connect',
  active: 'active',
  opensent: 'opensent',
  openconfirm: 'openconfirm',
  established: 'established',
};

/** "Established", "OpenSent", "Idle (Admin)" -> the RFC 4271 name; anything else is 'unknown'. */
export function sessionState(raw: string): BgpSessionState {
  const word = raw.trim().split(/[\s(]/)[0]?.toLowerCase() ?? '';
  return STATE_NAMES[word] ?? 'unknown';
}

/** How many of `peers` at one of `addresses` are Established. */
export function countEstablished(peers: readonly BgpDaemonPeerState[], addresses: readonly string[]): number {
  const wanted = new Set(addresses);
  return peers.filter((p) => wanted.has(p.address) && p.state === 'established').length;
}

/** The prefixes `peers` at one of `addresses` gave the daemon, summed. */
export function sumPrefixesFrom(peers: readonly BgpDaemonPeerState[], addresses: readonly string[]): number {
  const wanted = new Set(addresses);
  return peers.reduce((a, p) => a + (wanted.has(p.address) ? p.prefixesReceived : 0), 0);
}

/** Builds the common state from per-peer states and the RIB count. */
export function daemonState(peers: BgpDaemonPeerState[], ribPrefixes: number): BgpDaemonState {
  return {
    peersEstablished: peers.filter((p) => p.state === 'established').length,
    peers,
    ribPrefixes,
  };
}
