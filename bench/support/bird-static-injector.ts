/**
 * BIRD 2 as the injector (bgperf2's default tester): in the peers namespace, one BIRD per peer with a
 * `protocol static` holding that peer's prefixes, exported over one `protocol bgp` from the peer's own
 * address and AS. One process per peer because BIRD 2.0.12 takes one lock per neighbor address and port:
 * a second session from the same BIRD to the same DUT stays Idle until the first ends. Blackhole static
 * routes: BIRD sends its session address as the eBGP NEXT_HOP, the next hop the other injectors announce.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessHandle } from '../../lib/hosts/host.ts';
import { shellQuote } from '../../lib/hosts/shell-quote.ts';
import type { InjectionPeer, InjectionPlan, Injector } from './injector.ts';

export function birdInjectorConfig(plan: InjectionPlan, p: InjectionPeer): string {
  const dut = plan.dut;
  return `router id ${p.address};
log stderr { warning, error, fatal, bug };
protocol device {}
protocol static static_routes {
  ipv4;
${p.prefixes.map((prefix) => `  route ${prefix} blackhole;`).join('\n')}
}
protocol bgp to_dut {
  local ${p.address} as ${p.as};
  neighbor ${dut.address} port ${dut.port} as ${dut.as};
  hold time ${plan.holdTimeSeconds};
  # Each BIRD listens too; bound to its own address, ten of them share port 179 in one namespace.
  strict bind on;
  # BIRD waits 5 s before its first connect by default; the clock starts at Established anyway.
  connect delay time 1;
  ipv4 { import none; export all; };
}
`;
}

export class BirdStaticInjector implements Injector {
  readonly name = 'BIRD static';
  private handles: ProcessHandle[] = [];

  constructor(private readonly binary: string) {}

  async start(plan: InjectionPlan): Promise<void> {
    for (const [i, peer] of plan.peers.entries()) {
      const file = (ext: string) => join(plan.dir, `bird-injector-${i + 1}.${ext}`);
      writeFileSync(file('conf'), birdInjectorConfig(plan, peer));
      const command = ['exec', this.binary, '-f', '-c', file('conf'), '-s', file('ctl'), '-P', file('pid')]
        .map(shellQuote)
        .join(' ');
      this.handles.push(await plan.host.spawn(command, { name: `bench bird injector ${i + 1}` }));
    }
  }

  failure(): Error | undefined {
    const ended = this.handles.find((h) => h.exited);
    return ended && new Error(`${ended.name} ended: ${ended.output().slice(-600)}`);
  }

  async stop(): Promise<void> {
    const all = this.handles.splice(0);
    await Promise.all(all.map((h) => h.stop({ graceMs: 3000 })));
  }
}
