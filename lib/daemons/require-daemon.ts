/**
 * Finds a daemon's binaries, or fails with the command that installs them: a suite whose daemon is
 * missing must fail with a way out, never pass silently.
 */
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local-host.ts';
import type { BgpDaemonKind } from './bgp-daemon.ts';

export interface DaemonBinaries {
  /** The daemon: gobgpd, bird, bgpd. */
  daemon: string;
  /** Its control client: gobgp, birdc, vtysh. */
  cli: string;
}

const PACKAGES: Readonly<Record<BgpDaemonKind, { pkg: string; daemon: string[]; cli: string }>> = {
  gobgp: { pkg: 'gobgpd', daemon: ['gobgpd'], cli: 'gobgp' },
  bird: { pkg: 'bird2', daemon: ['bird'], cli: 'birdc' },
  // Debian keeps FRR's daemons off PATH.
  frr: { pkg: 'frr', daemon: ['bgpd', '/usr/lib/frr/bgpd'], cli: 'vtysh' },
};

export function installCommand(kind: BgpDaemonKind): string {
  return `apt-get install -y ${PACKAGES[kind].pkg}`;
}

async function locate(host: Host, name: string): Promise<string | undefined> {
  const r = await host.exec(`command -v ${name}`, { timeoutMs: 10_000 });
  const path = r.stdout.trim();
  return r.code === 0 && path.startsWith('/') ? path : undefined;
}

export async function requireDaemon(
  kind: BgpDaemonKind,
  host: Host = new LocalHost({ runTag: 'require-daemon' }),
): Promise<DaemonBinaries> {
  const p = PACKAGES[kind];
  let daemon: string | undefined;
  for (const candidate of p.daemon) daemon ??= await locate(host, candidate);
  const cli = await locate(host, p.cli);
  if (daemon && cli) return { daemon, cli };
  const missing = [daemon ? undefined : p.daemon[0], cli ? undefined : p.cli].filter(Boolean).join(' and ');
  throw new Error(
    `BGP daemon ${kind}: ${missing} not found on ${host.name}; install it as root: ${installCommand(kind)} ` +
      '(or bash scripts/ensure-system-packages.sh)',
  );
}
