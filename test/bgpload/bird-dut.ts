/**
 * BIRD 2 on loopback as a DUT for the generator and the monitor: listens on 127.0.0.2 (its own
 * address), accepts the generator peers and the monitor (passive), imports all from the generator
 * peers and exports all BGP routes to the monitor.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { listensOn } from '../../lib/daemons/daemon-process.ts';
import type { ProcessHandle } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { shellQuote as q } from '../../lib/hosts/shell-quote.ts';
import { freePort } from '../support/free-port.ts';

export const BIRD_ADDRESS = '127.0.0.2';
export const BIRD_AS = 65000;
const INSTALL_HINT =
  'install it as root: apt-get install -y bird2 (or bash scripts/ensure-system-packages.sh)';

export interface BirdNeighbor {
  name: string;
  address: string;
  asn: number;
}

function config(port: number, generators: readonly BirdNeighbor[], monitor: BirdNeighbor): string {
  const neighbor = (n: BirdNeighbor, channels: string) => `
protocol bgp ${n.name} {
  local ${BIRD_ADDRESS} port ${port} as ${BIRD_AS};
  neighbor ${n.address} as ${n.asn};
  multihop;
  passive on;
  hold time 90;
  error wait time 1, 2;
  enable extended messages on;
${channels}
}`;
  return `router id ${BIRD_ADDRESS};
log stderr all;
protocol device {}
${generators.map((g) => neighbor(g, '  ipv4 { import all; export none; };')).join('\n')}
${neighbor(monitor, '  ipv4 { import none; export where source = RTS_BGP; next hop self; };\n  ipv6 { import none; export where source = RTS_BGP; next hop self; };')}
`;
}

export class BirdDut {
  private readonly host = new LocalHost({ name: 'bird-host', runTag: `bgpload-bird-${process.pid}` });
  private dir = '';
  private socketPath = '';
  private process: ProcessHandle | undefined;
  port = 0;

  async start(generators: readonly BirdNeighbor[], monitor: BirdNeighbor): Promise<void> {
    const which = await this.host.exec('command -v bird && command -v birdc');
    if (which.code !== 0) throw new Error(`BIRD 2 (bird, birdc) is not installed; ${INSTALL_HINT}`);
    this.dir = await mkdtemp(join(tmpdir(), 'bgpload-bird-'));
    this.socketPath = join(this.dir, 'bird.ctl');
    // A port free a moment ago may be taken before BIRD binds it (BIRD then runs without listening):
    // then BIRD starts again on another.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort(BIRD_ADDRESS);
      const conf = join(this.dir, 'bird.conf');
      await writeFile(conf, config(this.port, generators, monitor));
      this.process = await this.host.spawn(
        `exec bird -f -c ${q(conf)} -s ${q(this.socketPath)} -P ${q(join(this.dir, 'bird.pid'))}`,
        { name: 'bird' },
      );
      await vi.waitFor(
        async () => {
          if (this.process?.exited) throw new Error(`bird exited at start:\n${this.process.output()}`);
          expect(await this.birdc('show status')).toContain('Daemon is up and running');
        },
        { timeout: 20_000, interval: 100 },
      );
      const listening = await vi
        .waitFor(async () => expect(await this.listening()).toBe(true), { timeout: 5000, interval: 100 })
        .then(() => true)
        .catch(() => false);
      if (listening) return;
      await this.process.stop();
      if (attempt === 3)
        throw new Error(
          `bird did not listen on port ${this.port} (nor two before it):\n${this.process.output()}`,
        );
    }
  }

  private async listening(): Promise<boolean> {
    // BIRD listens on the wildcard address unless told "strict bind", which listensOn accepts too.
    const r = await this.host.exec(`ss -Hltn sport = :${this.port}`);
    return listensOn(r.stdout, BIRD_ADDRESS, this.port);
  }

  async birdc(command: string): Promise<string> {
    const r = await this.host.exec(`birdc -s ${q(this.socketPath)} ${command}`, { timeoutMs: 10_000 });
    return r.stdout + r.stderr;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    await this.host.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
