import { describe, expect, it } from 'vitest';
import { ipv4ToInt } from '../../lib/bgpstress/ipv4.ts';
import { planServers, type PlanInput } from '../../lib/bgpstress/plan.ts';
import { agentRoutePrefix } from '../../lib/bgpstress/tool-naming.ts';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every prefix each run advertises, enumerated with the tool's own rule. */
function advertised(plans: ReturnType<typeof planServers>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const p of plans) {
    for (const it of p.iterations) {
      const run = it.run;
      const who = `${p.server.name}#${it.iteration}`;
      const rule = {
        testId: run.testId,
        largeFormat: !!run.xmppPrefixFormatLarge,
        startPrefix: run.xmppPrefix,
      };
      for (let a = 1; a <= run.nagents; a++) {
        for (let i = 1; i <= run.ninstances; i++) {
          for (let r = 0; r < run.nroutes; r++) {
            const prefix = agentRoutePrefix(rule, a, i, r);
            const prev = owner.get(prefix);
            // With a start prefix all agents of one run share prefixes; across runs never.
            if (prev !== undefined && prev !== who)
              throw new Error(`${prefix} advertised by ${prev} and ${who}`);
            owner.set(prefix, who);
          }
        }
      }
    }
  }
  return owner;
}

describe('per-server planner', () => {
  it('follows the legacy naming (seed example: cn .42, test server .41, 10 iterations of 10 instances)', () => {
    const [plan] = planServers({
      controlNode: '10.84.7.42',
      xmppPort: 5269,
      servers: [{ name: 'a2s41', address: '10.84.7.41' }],
      iterations: Array.from({ length: 10 }, () => ({ ninstances: 10, nagents: 5, nroutes: 10 })),
    });
    expect(plan!.vnNames).toHaveLength(100);
    expect(plan!.vnNames[0]).toBe('c42_t41_block1_n1');
    expect(plan!.vnNames[99]).toBe('c42_t41_block10_n10');
    expect(plan!.vnFqNames[0]).toEqual(['default-domain', 'admin', 'c42_t41_block1_n1']);
    const it2 = plan!.iterations[1]!;
    expect(it2.instanceNamePrefix).toBe('c42_t41_block2_n');
    expect(it2.toolInstances[0]).toBe('default-domain:admin:c42_t41_block2_n1:c42_t41_block2_n1');
    // /16 subnet: server .41 owns 10.84.41.0/24; iteration 2 follows iteration 1's 5 agents.
    expect(plan!.iterations[0]!.agentSources).toEqual({ first: '10.84.41.1', last: '10.84.41.5' });
    expect(it2.agentSources).toEqual({ first: '10.84.41.6', last: '10.84.41.10' });
    expect(it2.run).toMatchObject({
      xmppServer: '10.84.7.42',
      xmppSource: '10.84.41.6',
      testId: 1,
      pause: true,
      nevents: -1,
    });
    expect(plan!.warnings).toEqual([]);
  });

  it('warns when the VNs project is not the one the tool subscribes to', () => {
    const [plan] = planServers({
      controlNode: '10.0.0.1',
      xmppPort: 5269,
      servers: [{ name: 'a', address: '127.0.0.1' }],
      iterations: [{ ninstances: 1, nagents: 1, nroutes: 1 }],
      naming: { riProjName: 'default-project' },
    });
    expect(plan!.warnings[0]).toMatch(
      /default-domain:default-project:<vn> but bgp_stress_test subscribes to default-domain:admin/,
    );
  });

  it('refuses plans that cannot avoid overlap, saying why', () => {
    const base: PlanInput = {
      controlNode: '10.0.0.1',
      xmppPort: 5269,
      servers: [{ name: 'a', address: '10.0.1.5' }],
      iterations: [{ ninstances: 1, nagents: 300, nroutes: 1 }],
    };
    expect(() => planServers(base)).toThrow(
      /300 agent source addresses needed, its slice holds 254 \(use a shorter sourcePrefixLen\)/,
    );
    expect(() =>
      planServers({
        ...base,
        iterations: [{ ninstances: 1, nagents: 1, nroutes: 1 }],
        servers: [base.servers[0]!, { name: 'b', address: '10.0.2.5' }],
      }),
    ).toThrow(/test servers a and b share the last octet 5/);
    expect(() =>
      planServers({
        ...base,
        xmppPrefixFormatLarge: true,
        iterations: Array.from({ length: 9 }, () => ({ ninstances: 1, nagents: 1, nroutes: 1 })),
      }),
    ).toThrow(/need test id 8, the tool allows at most 7 in the large format/);
  });

  it("starts a real server's agents at the lab's xmppSource, up to its subnet's end, and refuses overlaps", () => {
    const base: PlanInput = {
      controlNode: '10.84.7.42',
      xmppPort: 5269,
      // /24: too narrow to derive a slice per last octet, wide enough from an explicit first address.
      sourcePrefixLen: 24,
      servers: [{ name: 'a2s41', address: '10.84.7.41', xmppSource: '10.84.41.10' }],
      iterations: [
        { ninstances: 1, nagents: 5, nroutes: 1 },
        { ninstances: 1, nagents: 3, nroutes: 1 },
      ],
    };
    const [plan] = planServers(base);
    expect(plan!.iterations.map((it) => it.agentSources)).toEqual([
      { first: '10.84.41.10', last: '10.84.41.14' },
      { first: '10.84.41.15', last: '10.84.41.17' },
    ]);
    expect(plan!.iterations[1]!.run.xmppSource).toBe('10.84.41.15');
    // 10.84.41.10 .. .254 is 245 addresses.
    expect(() => planServers({ ...base, iterations: [{ ninstances: 1, nagents: 246, nroutes: 1 }] })).toThrow(
      /246 agent source addresses needed, its slice holds 245/,
    );
    expect(() =>
      planServers({
        ...base,
        servers: [base.servers[0]!, { name: 'a2s39', address: '10.84.7.39', xmppSource: '10.84.41.16' }],
      }),
    ).toThrow(/test servers a2s41 and a2s39 would both bind agent source 10.84.41.16/);
    // Without xmppSource a /24 leaves no addresses per server: said plainly, not as a negative count.
    expect(() => planServers({ ...base, servers: [{ name: 'a2s41', address: '10.84.7.41' }] })).toThrow(
      /5 agent source addresses needed, its slice holds 0 \(use a shorter sourcePrefixLen\)/,
    );
  });

  it('property: across random plans no VN, instance, source address, test id or prefix is shared', () => {
    const rand = rng(42);
    const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let trial = 0; trial < 40; trial++) {
      // Half the plans look like the embedded lab: loopback servers, a /8 source subnet (labs/sim.yaml).
      const loopback = rand() < 0.5;
      const nservers = pick(1, 4);
      const servers = Array.from({ length: nservers }, (_, i) => ({
        name: `ts${i}`,
        address: loopback ? `127.0.0.${10 + i * 7}` : `10.84.${pick(0, 255)}.${10 + i * 7}`,
      }));
      const iterations = Array.from({ length: pick(1, 3) }, () => ({
        ninstances: pick(1, 3),
        nagents: pick(1, 6),
        nroutes: pick(1, 8),
      }));
      const input: PlanInput = {
        controlNode: '10.84.7.42',
        xmppPort: 5269,
        servers,
        iterations,
        sourcePrefixLen: loopback ? 8 : 16,
        xmppPrefixFormatLarge: rand() < 0.3 && nservers * iterations.length <= 8,
        xmppStartPrefix: rand() < 0.3 ? '60.0.0.1/32' : undefined,
      };
      const plans = planServers(input);
      const vns = plans.flatMap((p) => p.vnNames);
      expect(new Set(vns).size, `trial ${trial}`).toBe(vns.length);
      const instances = plans.flatMap((p) => p.iterations.flatMap((it) => it.toolInstances));
      expect(new Set(instances).size).toBe(instances.length);
      const sources = plans.flatMap((p) => p.allSources);
      expect(new Set(sources).size).toBe(sources.length);
      if (loopback)
        for (const s of sources) expect(s.startsWith('127.') && !s.startsWith('127.0.0.')).toBe(true);
      const ids = plans.flatMap((p) => p.iterations.map((it) => it.testId));
      expect(new Set(ids).size).toBe(ids.length);
      // Sources of each run are the ones the tool will bind (source + n - 1).
      for (const p of plans) {
        for (const it of p.iterations) {
          const span = ipv4ToInt(it.agentSources.last) - ipv4ToInt(it.agentSources.first) + 1;
          expect(span).toBe(it.run.nagents);
        }
      }
      const prefixes = advertised(plans);
      for (const p of plans) {
        for (const it of p.iterations) {
          const who = `${p.server.name}#${it.iteration}`;
          const own = [...prefixes]
            .filter(([, w]) => w === who)
            .map(([pfx]) => ipv4ToInt(pfx.split('/')[0]!));
          expect(own.length).toBe(it.prefixes.perInstance * (input.xmppStartPrefix ? 1 : it.run.ninstances));
          for (const a of own) {
            expect(a).toBeGreaterThanOrEqual(ipv4ToInt(it.prefixes.first));
            expect(a).toBeLessThanOrEqual(ipv4ToInt(it.prefixes.last));
          }
        }
      }
    }
  });
});
