/**
 * One injector against a fresh BIRD 2 as the device under test, in fresh namespaces, measured from an
 * Established (BIRD's own "Since", 1 ms) to each of the following, twice: for the whole load (the first
 * session's Established to the last session's moment) and per session (its own Established to its own
 * moment; the slowest session's figure kept):
 * - wire: the last UPDATE reaching the DUT's host (the kernel's lastrcv of each session, read in the DUT's
 *   namespace once every route is in; resolution ss's own run between two clock reads + 4 ms). What the
 *   injector can do.
 * - RIB: the last of its routes in the DUT's table (each route's BIRD timestamp, 1 ms). What the DUT did.
 * All three injectors are measured by these same observers. A poll of `show route count` over BIRD's
 * control socket, as fast as BIRD answers, decides when to read them; the wall time of its reply is an
 * upper bound both must respect (checked). Sessions hold for an hour, so no KEEPALIVE arrives during a
 * race to move the last receive.
 *
 *   const r = await injectionRace({ injector: new NativeInjector(), peers: 10, prefixes: 10_000, runTag });
 */
import { BirdControl } from '../../lib/daemons/bird-control.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrefixPlan } from '../../lib/bgpload/prefix-plan.ts';
import { monotonicMs } from '../../lib/clock.ts';
import { birdProtocolName } from '../../lib/daemons/bird-config.ts';
import { parseBirdRouteCount } from '../../lib/daemons/bird-state.ts';
import { createBgpDaemon } from '../../lib/daemons/create-bgp-daemon.ts';
import { createTopology } from '../../lib/daemons/create-topology.ts';
import { FIRST_PEER_AS } from '../../lib/load/native-bgp-load.ts';
import { onInterrupt } from '../../lib/run/interrupt.ts';
import { MONITOR_AS } from '../../lib/scale/daemon-scale-session.ts';
import { Teardown } from '../../lib/scale/teardown.ts';
import { latestRouteTimes, parseProtocolLines, signedSpanMs, spanMs } from './bird-times.ts';
import type { InjectionPlan, Injector, OwnRecord } from './injector.ts';
import { parseTcpInfo } from './tcp-last-receive.ts';

const DUT_AS = 64512;
const HOLD_TIME_S = 3600;
/** lastrcv counts jiffies: 4 ms at HZ=250. */
const JIFFY_MS = 4;

export interface RaceOptions {
  injector: Injector;
  peers: number;
  /** Per peer. */
  prefixes: number;
  runTag: string;
  timeoutMs: number;
}

/** A span for the whole load (first session up to the last session's moment) and the slowest session's. */
export interface Spans {
  load: number;
  session: number;
}

export interface RaceResult {
  injector: string;
  /** Its Established -> its last UPDATE byte at the DUT's host (kernel lastrcv). */
  wireMs: Spans;
  /** Resolution of wireMs: the ss call's duration plus one jiffy. */
  wireResolutionMs: number;
  /** Sessions whose lastrcv a later segment had moved, their wire moment taken as their last route's RIB time. */
  wireAtRib: number;
  /** Its Established -> its last route changed, BIRD's own times (1 ms). */
  ribMs: Spans;
  /** First -> last session Established. */
  establishSpreadMs: number;
  /** The poll reply that first showed every route, as ms after the first Established (upper bound). */
  pollSawAllMs: number;
  /** Median and largest gap between the poll's replies while it waited. */
  pollGapMs: { median: number; max: number };
  polls: number;
  /** The injector's own record, where it keeps one (ms from its first Established). */
  own: OwnRecord | undefined;
}

/** This machine's local time of day in ms, as BIRD prints it. */
function localTimeOfDayMs(d = new Date()): number {
  return ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
}

/** The local time of day of an instant given as ms since the epoch, fraction kept. */
function timeOfDayOfEpochMs(ms: number): number {
  if (!Number.isFinite(ms)) throw new Error(`date +%s%N in the DUT namespace printed no time (${ms})`);
  const whole = Math.floor(ms);
  return localTimeOfDayMs(new Date(whole)) + (ms - whole);
}

export async function injectionRace(o: RaceOptions): Promise<RaceResult> {
  const teardown = new Teardown();
  // Ctrl-C ends the process without running finally blocks: the same teardown runs from the handler.
  const unregister = onInterrupt(async () => {
    await teardown.run();
  });
  const dir = mkdtempSync(join(tmpdir(), 'netscale-bench-injector-'));
  teardown.push('remove the injector dir', async () => rmSync(dir, { recursive: true, force: true }));
  try {
    const topology = await createTopology({ peers: o.peers, runTag: o.runTag, kind: 'netns' });
    teardown.push('delete the topology', () => topology.delete());
    const neighbors = topology.peerAddresses.map((address, i) => ({ address, as: FIRST_PEER_AS + i }));
    const dut = createBgpDaemon('bird');
    const started = await dut.start({
      topology,
      localAs: DUT_AS,
      peers: neighbors,
      monitor: { address: topology.monitorAddress, as: MONITOR_AS },
      holdTimeSeconds: HOLD_TIME_S,
    });
    teardown.push('stop the BIRD DUT', () => dut.stop());
    // Long enough for `show route` of a whole table on a busy BIRD.
    const control = new BirdControl(join(started.dir, 'bird.ctl'), { timeoutMs: 300_000 });
    teardown.push('close the control socket', async () => control.close());

    // The generator's own prefix plan, so every injector announces exactly what bgp-load would.
    const prefixPlan = new PrefixPlan({ family: 'ipv4', count: o.prefixes, mode: 'distinct' }, o.peers);
    const plan: InjectionPlan = {
      host: topology.peersHost,
      dut: { address: started.address, port: started.port, as: started.localAs },
      peers: neighbors.map((n, i) => ({ ...n, prefixes: prefixPlan.prefixesOf(i) })),
      holdTimeSeconds: HOLD_TIME_S,
      dir,
    };
    const target = prefixPlan.distinctPrefixes;
    teardown.push(`stop ${o.injector.name}`, () => o.injector.stop());
    await o.injector.start(plan);

    const deadline = monotonicMs() + o.timeoutMs;
    const gaps: number[] = [];
    let last = monotonicMs();
    let count = 0;
    let sawAllAt = 0;
    for (;;) {
      count = parseBirdRouteCount(await control.query('show route count'));
      const now = monotonicMs();
      if (count > 0) gaps.push(now - last);
      last = now;
      if (count >= target) {
        sawAllAt = localTimeOfDayMs();
        break;
      }
      const err = o.injector.failure();
      if (err) throw new Error(`${o.injector.name}: ${err.message}`);
      if (now > deadline)
        throw new Error(
          `${o.injector.name} into BIRD: ${count} of ${target} prefixes after ${o.timeoutMs} ms`,
        );
      // Yield to the event loop between queries; BIRD's answer time is the pace.
      await new Promise((resolve) => setImmediate(resolve));
    }

    // The wall clock read right before and after ss, in the same shell: the kernel's "now" lies between,
    // without the cost of starting a command in the namespace.
    const ss = await topology.dutHost.exec(
      `date +%s%N && ss -HtinO state established '( sport = :${started.port} )' && date +%s%N`,
      { timeoutMs: 30_000 },
    );
    if (ss.code !== 0)
      throw new Error(`ss in ${topology.dutHost.name} failed (exit ${ss.code}): ${ss.stderr}`);
    const out = ss.stdout.trimEnd().split('\n');
    const ssBefore = timeOfDayOfEpochMs(Number(out[0]) / 1e6);
    const ssAfter = timeOfDayOfEpochMs(Number(out.at(-1)) / 1e6);
    const addresses = new Set(neighbors.map((n) => n.address));
    const sessions = parseTcpInfo(out.slice(1, -1).join('\n')).filter((c) => addresses.has(c.peer));
    if (sessions.length !== neighbors.length)
      throw new Error(
        `${o.injector.name} into BIRD: ss in ${topology.dutHost.name} shows ${sessions.length} injector sessions, expected ${neighbors.length} (missing: ${neighbors
          .map((n) => n.address)
          .filter((a) => !sessions.some((c) => c.peer === a))
          .join(', ')}; ss printed ${out.length - 2} lines: ${out.map((l) => l.slice(0, 90)).join(' | ')})`,
      );
    const names = neighbors.map((_, i) => birdProtocolName(i));
    const protocols = new Map(
      parseProtocolLines(await control.query('show protocols')).map((p) => [p.name, p] as const),
    );
    const routes = latestRouteTimes(await control.query('show route'), new Set(names));
    // Per session, BIRD's Established to (wire) its last byte at the DUT's host and (RIB) its last route.
    // The kernel's "now" is somewhere inside the ss call: its end is taken, the resolution covers the rest.
    const perSession = neighbors.map((n, i) => {
      const name = names[i]!;
      const p = protocols.get(name);
      if (!p || p.state !== 'up')
        throw new Error(
          `${o.injector.name} into BIRD: session ${name} from ${n.address} is ${p ? `${p.state} ${p.info}` : 'not listed'}, expected up`,
        );
      const tcp = sessions.find((c) => c.peer === n.address);
      const r = routes.get(name);
      if (!tcp || !r || r.routes !== o.prefixes)
        throw new Error(
          `${o.injector.name} into BIRD: session ${name} from ${n.address}: ${r?.routes ?? 0} routes in the table, expected ${o.prefixes}${tcp ? '' : ', and no TCP connection in ss'}`,
        );
      return { since: p.since, arrival: ssAfter - tcp.lastReceiveMs, latest: r.latest };
    });
    const wireResolutionMs = ssAfter - ssBefore + JIFFY_MS;
    // A segment after the routes (ExaBGP's End-of-RIB, tens of ms later) moves lastrcv past them: that
    // session's last route then reached the host no later than BIRD had it in its table.
    let wireAtRib = 0;
    for (const x of perSession)
      if (signedSpanMs(x.latest, x.arrival) > wireResolutionMs) {
        x.arrival = x.latest;
        wireAtRib++;
      }
    for (const [i, x] of perSession.entries()) {
      // BIRD stamps with its event loop's time and the wall clock is read after the poll's reply.
      if (signedSpanMs(sawAllAt, x.latest) > 2)
        throw new Error(
          `${o.injector.name} into BIRD: session ${names[i]}'s last route is stamped after the poll saw every route; clocks disagree`,
        );
    }
    const firstUp = Math.min(...perSession.map((x) => x.since));
    const spans = (pick: (x: (typeof perSession)[number]) => number): Spans => ({
      load: Math.max(...perSession.map((x) => spanMs(firstUp, pick(x)))),
      session: Math.max(...perSession.map((x) => spanMs(x.since, pick(x)))),
    });
    const wireMs = spans((x) => x.arrival);
    const ribMs = spans((x) => x.latest);
    const lastUp = Math.max(...perSession.map((x) => x.since));
    const pollSawAllMs = spanMs(firstUp, sawAllAt);
    const own = await o.injector.ownRecord?.();
    const sorted = [...gaps].sort((a, b) => a - b);
    return {
      injector: o.injector.name,
      wireMs,
      wireResolutionMs,
      wireAtRib,
      ribMs,
      establishSpreadMs: spanMs(firstUp, lastUp),
      pollSawAllMs,
      pollGapMs: { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
      polls: gaps.length,
      own,
    };
  } finally {
    const errors = await teardown.run();
    unregister();
    if (errors.length) process.stderr.write(`injector race teardown: ${errors.join('; ')}\n`);
  }
}
