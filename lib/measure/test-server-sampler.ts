/**
 * The test servers of a run, sampled like the control node: one HostSampler (lib/measure/host-sampler.ts)
 * per lab host, so scenario servers that share a machine (an address pool) share its host series, and
 * each load process is tracked on the host its server runs on.
 *
 *   const ts = await TestServerSampler.start({ servers: [{ name, host }], intervalMs, makeSeries });
 *   load.onProcess((p) => ts.track(p));      // { server, pid, name }
 *   ts.hosts                                 // [{ name, sampler, servers }]
 *   await ts.stop();
 *
 * Series names: `test_server.<host>.cpu` (% of one core), `test_server.<host>.mem_used` (B),
 * `test_server.<host>.proc.<pid>.cpu` (% of one core).
 */
import type { Host } from '../hosts/host.ts';
import { HostSampler, type MakeSeries } from './host-sampler.ts';

export interface TestServerSamplerOptions {
  servers: ReadonlyArray<{ name: string; host: Host }>;
  intervalMs: number;
  makeSeries: MakeSeries;
}

export interface SampledHost {
  /** Lab host name. */
  name: string;
  /** Scenario servers on this host. */
  servers: string[];
  sampler: HostSampler;
}

export class TestServerSampler {
  private constructor(
    readonly hosts: SampledHost[],
    private readonly hostOfServer: Map<string, SampledHost>,
  ) {}

  static async start(o: TestServerSamplerOptions): Promise<TestServerSampler> {
    const byHost = new Map<string, { host: Host; servers: string[] }>();
    for (const s of o.servers) {
      const entry = byHost.get(s.host.name) ?? { host: s.host, servers: [] };
      entry.servers.push(s.name);
      byHost.set(s.host.name, entry);
    }
    const started = await Promise.allSettled(
      [...byHost.values()].map(async ({ host, servers }) => ({
        name: host.name,
        servers,
        sampler: await HostSampler.start(host, {
          intervalMs: o.intervalMs,
          makeSeries: (name, unit, meta) =>
            o.makeSeries(`test_server.${host.name}.${name}`, unit, { host: host.name, servers, ...meta }),
        }),
      })),
    );
    const hosts = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failed.length > 0) {
      // Leave no loop behind on the hosts that did start.
      await Promise.all(hosts.map((h) => h.sampler.stop()));
      throw new Error(`test-server sampling: ${failed.map((e) => e.message).join('; ')}`);
    }
    const hostOfServer = new Map<string, SampledHost>();
    for (const h of hosts) for (const s of h.servers) hostOfServer.set(s, h);
    return new TestServerSampler(hosts, hostOfServer);
  }

  /** Samples a load process from now on; a server this sampler does not know is an error. */
  track(p: { server: string; pid: number; name: string }): void {
    const h = this.hostOfServer.get(p.server);
    if (!h)
      throw new Error(
        `test-server sampling: ${p.name} (pid ${p.pid}) runs on server ${p.server}, expected one of ${[...this.hostOfServer.keys()].join(', ')}`,
      );
    h.sampler.track(p);
  }

  /** Problems of any host's sampling, each naming its host. */
  errors(): string[] {
    return this.hosts.flatMap((h) => h.sampler.error ?? []);
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.sampler.stop()));
  }
}
