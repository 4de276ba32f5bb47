/**
 * A lab file for the fan-out benchmark: one test server per sshd (`transport: ssh`, key auth, strict
 * known_hosts), each running a light stand-in for bgp_stress_test, so that starting the load costs what
 * netscale's fan-out costs rather than what starting the real tool costs.
 *
 *   const lab = await writeFanOutLab({ dir, sshds });
 *   // lab.file (for openLab), lab.testServers (host names, in sshd order), lab.standIn, lab.workDir
 *
 * The control node entry is required by the lab file's shape; nothing here contacts it.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Sshd } from '../../test/support/sshd.ts';

export interface FanOutLabOptions {
  dir: string;
  sshds: readonly Sshd[];
  /** The tool the test servers run; default the stand-in written to `dir`. */
  bgpStressPath?: string;
}

export interface FanOutLab {
  file: string;
  testServers: string[];
  standIn: string;
  workDir: string;
}

/**
 * The real tool's line as it starts bringing up its agents (BringUpXmppAgents(), the line the
 * bring-up-start load event is parsed from), then a hold until stdin closes, like --pause. Shell
 * builtins only: the stand-in costs one shell and nothing more.
 */
export function standInScript(): string {
  return [
    '#!/bin/sh',
    '# Stand-in for bgp_stress_test (netscale fan-out benchmark).',
    'n=0',
    'for a in "$@"; do case $a in --nagents=*) n=${a#--nagents=} ;; esac; done',
    'echo "BGP_STRESS_TEST_LOG: bgp_stress_test.cc:BringUpXmppAgents():2015 Starting bringing up $n agents"',
    'while read -r _; do :; done',
    '',
  ].join('\n');
}

export async function writeFanOutLab(o: FanOutLabOptions): Promise<FanOutLab> {
  const standIn = join(o.dir, 'bgp_stress_test-stand-in.sh');
  await writeFile(standIn, standInScript());
  await chmod(standIn, 0o755);
  const workDir = join(o.dir, 'work');
  const names = o.sshds.map((_, i) => `ts${i + 1}`);
  const hosts: Record<string, unknown> = { local: { transport: 'local', address: '127.0.0.1' } };
  o.sshds.forEach((s, i) => {
    hosts[names[i]!] = {
      transport: 'ssh',
      address: s.host,
      port: s.port,
      user: s.user,
      auth: { keyFile: s.keyFile },
      knownHosts: 'strict',
      knownHostsFile: s.knownHostsFile,
      connectTimeoutMs: 30_000,
    };
  });
  const lab = {
    name: 'fan-out',
    hosts,
    controlNodes: [{ host: 'local', introspect: 'http://127.0.0.1:9/' }],
    testServers: names.map((host) => ({
      host,
      bgpStressPath: o.bgpStressPath ?? standIn,
      workDir,
      addSecondaryAddresses: false,
    })),
  };
  const file = join(o.dir, 'fan-out-lab.yaml');
  await writeFile(file, stringify(lab));
  return { file, testServers: names, standIn, workDir };
}
