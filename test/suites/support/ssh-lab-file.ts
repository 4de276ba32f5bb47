/**
 * A lab file whose hosts are all `transport: ssh`, reached through a test sshd on loopback, in front of
 * an embedded control node standing in for a real one. Everything the lab's roles run goes over SSH:
 * the control node's pid file read, CPU sampler, restart and version commands, bgp_stress_test, the
 * router's `show bgp neighbor`.
 *
 *   const lab = await writeSshLabFile({ dir, sshd, cn, pidFile, xmppSource: '127.31.0.1' });
 *   // lab.file (LAB=...), lab.routerCallsLog, lab.workDir
 *
 * The router is a script that prints canned Junos output naming the control node as an Established
 * peer, and appends its own process ancestry (comm names up to init) to `<dir>/router-calls.log`, so
 * a test can see it ran under sshd.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { EmbeddedControlNode } from '../../../lib/lab/embedded-control-node.ts';
import { REPO_ROOT } from '../../support/repo-root.ts';
import type { Sshd } from '../../support/sshd.ts';

export interface SshLabFileOptions {
  dir: string;
  sshd: Sshd;
  /** The control node the lab points at. */
  cn: Pick<EmbeddedControlNode, 'endpoints'>;
  /** The control node's pid file (absolute). */
  pidFile: string;
  /** First agent source address on the test server. */
  xmppSource: string;
  /** The control node's env file (controlNodes[0].envFile). */
  envFile?: string;
}

export interface SshLabFile {
  file: string;
  /** Each router call appends one line: its run tag, then its ancestors' comm names. */
  routerCallsLog: string;
  workDir: string;
}

const JUNOS_NEIGHBOR = (peer: string) =>
  [
    `Peer: ${peer}+179 AS 64512  Local: 127.0.0.250+51234 AS 64512`,
    '  Type: Internal    State: Established    Flags: <Sync>',
    '  Last State: OpenConfirm   Last Event: RecvKeepAlive',
    '  Last Error: None',
  ].join('\n');

/** The router "CLI": records where it ran, then prints `show bgp neighbor`. */
function routerScript(callsLog: string, peer: string): string {
  return [
    '#!/bin/sh',
    'chain=""; p=$$',
    'i=0',
    'while [ "$p" -gt 1 ] && [ $i -lt 64 ]; do',
    '  chain="$chain $(cat /proc/$p/comm)"',
    "  p=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f2)",
    '  i=$((i+1))',
    'done',
    `echo "$NETSCALE_RUN_TAG$chain" >> '${callsLog}'`,
    "cat <<'JUNOS'",
    JUNOS_NEIGHBOR(peer),
    'JUNOS',
  ].join('\n');
}

export async function writeSshLabFile(o: SshLabFileOptions): Promise<SshLabFile> {
  const { sshd, cn } = o;
  const routerCallsLog = join(o.dir, 'router-calls.log');
  const router = join(o.dir, 'show-bgp-neighbor.sh');
  await writeFile(router, routerScript(routerCallsLog, cn.endpoints.xmpp.host));
  await chmod(router, 0o755);
  const workDir = join(o.dir, 'work');
  const faultUrl = `${cn.endpoints.introspect}/sim/fault`;
  const lab = {
    name: 'ssh-loopback',
    // Its own lock and change record: other tests' loopback labs are other labs.
    stateDir: join(o.dir, 'state'),
    defaults: {
      transport: 'ssh',
      port: sshd.port,
      user: sshd.user,
      auth: { keyFile: sshd.keyFile },
      knownHosts: 'strict',
      knownHostsFile: sshd.knownHostsFile,
      connectTimeoutMs: 10_000,
    },
    hosts: { cn: { address: sshd.host }, ts: { address: sshd.host } },
    controlNodes: [
      {
        host: 'cn',
        xmppAddress: cn.endpoints.xmpp.host,
        xmppPort: cn.endpoints.xmpp.port,
        introspect: cn.endpoints.introspect,
        process: { pidFile: o.pidFile },
        restartCommand: `node -e "fetch('${faultUrl}',{method:'POST',body:JSON.stringify({restart:{downMs:300}})}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
        versionCommand: 'echo "contrail-control (emulator behind sshd)"',
        ...(o.envFile ? { envFile: o.envFile } : {}),
      },
    ],
    configApi: { host: 'cn', url: cn.endpoints.configApi, project: 'admin' },
    testServers: [
      {
        host: 'ts',
        bgpStressPath: resolve(REPO_ROOT, 'sim/bin/bgp_stress_test'),
        workDir,
        xmppSource: o.xmppSource,
        addSecondaryAddresses: false,
      },
    ],
    // Route counts from the emulated MX, answering from the control node it stands beside.
    routers: [
      {
        host: 'cn',
        showBgpNeighborCommand: router,
        showRouteSummaryCommand: `${resolve(REPO_ROOT, 'sim/bin/junos-cli')} --introspect ${cn.endpoints.introspect} -c "show route summary"`,
      },
    ],
  };
  const file = join(o.dir, 'ssh-lab.yaml');
  await writeFile(file, stringify(lab));
  return { file, routerCallsLog, workDir };
}
