/**
 * netscale's own generator (`netscale bgp-load`) as an injector: the same process the suites run, told
 * to announce the moment it reports every session Established ('ready').
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BgpProcess } from '../../lib/bgpload/bgp-process.ts';
import type { PeerRecord } from '../../lib/bgpload/peer-record.ts';
import type { BgpLoadSpecInput } from '../../lib/bgpload/spec.ts';
import type { InjectionPlan, Injector, OwnRecord } from './injector.ts';

const READY_TIMEOUT_MS = 120_000;

export class NativeInjector implements Injector {
  readonly name = 'netscale bgp-load';
  private process: BgpProcess | undefined;
  private error: Error | undefined;

  async start(plan: InjectionPlan): Promise<void> {
    const first = plan.peers[0];
    if (!first) throw new Error('netscale bgp-load injector: the plan has no peers');
    const spec: BgpLoadSpecInput = {
      dut: plan.dut,
      peers: { count: plan.peers.length, addresses: plan.peers.map((p) => p.address), firstAs: first.as },
      // The plan's prefixes are the generator's own distinct blocks (see injection-plan.ts).
      prefixes: { family: 'ipv4', count: first.prefixes.length, mode: 'distinct' },
      holdTimeSeconds: plan.holdTimeSeconds,
    };
    const specFile = join(plan.dir, 'bgp-load.spec.json');
    writeFileSync(specFile, JSON.stringify(spec, null, 2));
    this.process = await BgpProcess.start(
      plan.host,
      'bgp-load',
      specFile,
      'bench bgp-load',
      undefined,
      join(plan.dir, 'bgp-load.log'),
    );
    const p = this.process;
    void p
      .next((e) => e.event === 'ready', READY_TIMEOUT_MS)
      .then(() => p.handle.write('announce\n'))
      .catch((err: Error) => {
        this.error = err;
      });
  }

  async ownRecord(): Promise<OwnRecord> {
    const p = this.process;
    if (!p) throw new Error('netscale bgp-load injector: not started');
    const e = await p.command('records', (x) => x.event === 'records', READY_TIMEOUT_MS);
    const records = e.event === 'records' ? e.records : [];
    const times = (pick: (r: PeerRecord) => number | null) =>
      records.map(pick).filter((t): t is number => t !== null);
    const established = Math.min(...times((r) => r.established));
    const ready = p.events.find((x) => x.event === 'ready');
    return {
      encodeMs: ready?.event === 'ready' ? ready.encodeMs : undefined,
      firstWriteMs: Math.min(...times((r) => r.firstUpdateWritten)) - established,
      lastWriteMs: Math.max(...times((r) => r.lastUpdateWritten)) - established,
    };
  }

  failure(): Error | undefined {
    return this.error;
  }

  async stop(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    await p?.handle.stop({ graceMs: 2000 });
  }
}
