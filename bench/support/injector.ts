/**
 * An injector of the benchmark's comparison: something on the peers side of a topology that opens one
 * BGP session per peer to the device under test and announces that peer's prefixes, as soon as it can.
 * Every injector gets the same plan (addresses, ASes, prefixes, next hops), so the DUT receives the same
 * routes whichever one sends them.
 */
import type { Host } from '../../lib/hosts/host.ts';

export interface InjectionPeer {
  /** Source address on the peers side; also the NEXT_HOP it announces. */
  address: string;
  as: number;
  /** The prefixes this peer announces ("10.0.0.0/24", ...). */
  prefixes: readonly string[];
}

export interface InjectionPlan {
  /** Where the injector runs (the topology's peers side). */
  host: Host;
  dut: { address: string; port: number; as: number };
  peers: readonly InjectionPeer[];
  /** Proposed hold time of every session (the DUT is configured with the same). */
  holdTimeSeconds: number;
  /** A directory the injector may write its config and log to. */
  dir: string;
}

/** Ms from the injector's first session Established to its first and last UPDATE written. */
export interface OwnRecord {
  firstWriteMs: number;
  lastWriteMs: number;
  /** Time it spent encoding UPDATEs, when it says. */
  encodeMs: number | undefined;
}

export interface Injector {
  readonly name: string;
  /** Starts it; it brings its sessions up and announces everything without further calls. */
  start(plan: InjectionPlan): Promise<void>;
  /** The injector's own record of its sessions and writes, where it keeps one (netscale's generator does). */
  ownRecord?(): Promise<OwnRecord>;
  /** Why it cannot finish (a process of it ended, a step failed), once that is known. */
  failure(): Error | undefined;
  /** Ends every process it started. Idempotent. */
  stop(): Promise<void>;
}
