/**
 * ExaBGP (Debian package exabgp, bgperf's original tester) as an injector: one `neighbor` per peer with
 * its prefixes as static routes, announced as each session comes up. Missing ExaBGP is reported with the
 * command that installs it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host, ProcessHandle } from '../../lib/hosts/host.ts';
import { shellQuote } from '../../lib/hosts/shell-quote.ts';
import type { InjectionPlan, Injector } from './injector.ts';

export const EXABGP_INSTALL = 'apt-get install -y exabgp';

/** The exabgp executable's path, or undefined when it is not installed. */
export async function findExabgp(host: Host): Promise<string | undefined> {
  const r = await host.exec('command -v exabgp', { timeoutMs: 10_000 });
  const path = r.stdout.trim();
  return r.code === 0 && path.startsWith('/') ? path : undefined;
}

export function exabgpConfig(plan: InjectionPlan): string {
  return plan.peers
    .map(
      (p) => `neighbor ${plan.dut.address} {
  router-id ${p.address};
  local-address ${p.address};
  local-as ${p.as};
  peer-as ${plan.dut.as};
  hold-time ${plan.holdTimeSeconds};
  family { ipv4 unicast; }
  static {
${p.prefixes.map((prefix) => `    route ${prefix} next-hop ${p.address};`).join('\n')}
  }
}
`,
    )
    .join('\n');
}

export class ExabgpInjector implements Injector {
  readonly name = 'ExaBGP';
  private handle: ProcessHandle | undefined;

  constructor(private readonly binary: string) {}

  async start(plan: InjectionPlan): Promise<void> {
    const conf = join(plan.dir, 'exabgp.conf');
    writeFileSync(conf, exabgpConfig(plan));
    // Stay root and in the foreground (the guard owns it), no CLI pipes, log to the handle's output.
    const env = [
      'exabgp.daemon.user=root',
      'exabgp.daemon.daemonize=false',
      'exabgp.api.cli=false',
      'exabgp.log.destination=stdout',
      'exabgp.log.level=WARNING',
    ];
    this.handle = await plan.host.spawn(
      `exec env ${env.join(' ')} ${shellQuote(this.binary)} ${shellQuote(conf)}`,
      { name: 'bench exabgp' },
    );
  }

  failure(): Error | undefined {
    const h = this.handle;
    return h?.exited ? new Error(`exabgp ended: ${h.output().slice(-600)}`) : undefined;
  }

  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.stop({ graceMs: 3000 });
  }
}
