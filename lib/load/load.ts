/**
 * Load applied to a device under test, as the scale pipeline drives it: start an iteration's load
 * generators, make them send, withdraw, drop (a flap: sessions close without withdrawing), wait for
 * them to end, stop everything. Generators report their own moments (began bringing up peers, began
 * feeding routes) as events on the monotonic clock, so spans start where the generator acted, not
 * where we asked it to.
 *
 * Implementations: BgpStressLoad (lib/load/bgp-stress-load.ts).
 */
import type { Host } from '../hosts/host.ts';

/** What one iteration puts on the device. */
export interface ExpectedLoad {
  /** Sessions the device should see up. */
  peers: number;
  /** Distinct prefixes the device should hold. */
  prefixes: number;
  /** Peers that announce and subscribe (XMPP agents). */
  agents: number;
  /** Route updates the device sends out: Σ over its tables of prefixes × subscribers of that table. */
  updates: number;
}

export type LoadEventKind = 'bring-up-start' | 'feed-start' | 'feed-end';

export interface LoadEvent {
  kind: LoadEventKind;
  /** Monotonic ms the generator's line arrived. */
  t: number;
  /** Which generator (e.g. "bgp_stress_test#3@a2s41"). */
  source: string;
}

/** A machine generators run on, under the name the scenario gives it (several names may share a host). */
export interface GeneratorServer {
  name: string;
  host: Host;
}

/** One generator process as started: its own pid on its server's host (for per-process sampling). */
export interface LoadProcess {
  server: string;
  host: Host;
  pid: number;
  /** E.g. "bgp_stress_test#3@a2s41". */
  name: string;
}

export interface Load<Scope> {
  readonly name: string;
  readonly iterations: number;
  /** Hosts the generators run on (test servers), for the report. */
  readonly generatorHosts: number;
  expected(k: number): ExpectedLoad;
  /** What of the device iterations `ks` load (parallel iterations each observe their own). */
  scope(ks: readonly number[], own: boolean): Scope;
  /** Starts iteration k's generators; resolves once they run (not once peers are up). */
  start(k: number): Promise<void>;
  triggerSends(k: number): Promise<void>;
  /** Ends the hold: the generators withdraw and end by themselves. */
  withdraw(k: number): Promise<void>;
  /** Ends iteration k's generators at once: sessions close without withdrawing (a flap). */
  drop(k: number): Promise<void>;
  /** Waits up to timeoutS for iteration k's generators to exit, stops the rest; one note per straggler. */
  finish(k: number, timeoutS: number): Promise<string[]>;
  /**
   * Churn, for loads that can take back part of their routes and announce them again (the native BGP
   * generator; bgp_stress_test cannot): every peer of iteration k withdraws, or announces again, the first
   * ceil(share x routes) of its prefixes. Resolves once the generators wrote it.
   */
  churn?(k: number, step: 'withdraw' | 'announce', share: number): Promise<void>;
  /** Distinct prefixes a churn of `share` takes from the device (and brings back). */
  churnedPrefixes?(k: number, share: number): number;
  /** Stops every generator still running. */
  stop(): Promise<void>;
  onEvent(listener: (e: LoadEvent) => void): () => void;
  /** The servers the generators run on, each with its lab host. */
  readonly generatorServers: readonly GeneratorServer[];
  /** Told of each generator process as it starts (every iteration, every flap's reconnect). */
  onProcess(listener: (p: LoadProcess) => void): () => void;
  /** Every generator process started so far, in start order. */
  processes(): LoadProcess[];
  /** Planning remarks worth a look in the report. */
  warnings(): string[];
  /** Generator output files, attached to the report. */
  readonly logFiles: readonly string[];
}
