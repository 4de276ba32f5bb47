/**
 * `netscale lab check` as a user runs it, against a lab file pointing at the
 * test sshd: one good host (key auth, binaries present, introspect answers)
 * and one bad host (wrong password). The password never appears in output.
 */
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../support/sshd.ts';
import { labDir, type LabDir } from '../support/lab-files.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { LabLock } from '../../lib/lab/lab-lock.ts';

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/netscale.js', ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('netscale lab check', () => {
  let sshd: Sshd;
  let d: LabDir;
  let http: Server;
  let introspect = '';
  beforeAll(async () => {
    sshd = await startSshd();
    d = await labDir();
    http = createServer((_req, res) => res.end('<Snh_IFMapPeerServerInfoReq/>'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    introspect = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => http.close(r));
    await sshd?.stop();
    await d?.remove();
  });

  function lab(badHost: Record<string, unknown>) {
    return {
      name: 'check-test',
      stateDir: `${d.dir}/state`,
      defaults: { port: sshd.port, knownHostsFile: sshd.knownHostsFile },
      hosts: {
        good: { address: sshd.host, user: 'root', auth: { keyFile: sshd.keyFile } },
        bad: { address: sshd.host, ...badHost },
      },
      controlNodes: [{ host: 'good', introspect }],
      testServers: [{ host: 'good', bgpStressPath: '/bin/sh' }, { host: 'bad' }],
    };
  }

  it('prints one row per host, fails on the bad one, never prints the password', async () => {
    const wrong = `Wrong-${sshd.password}`;
    const file = await d.write(
      'lab.yaml',
      lab({ user: sshd.passwordUser, auth: { password: '${LAB_SSH_PASSWORD}' } }),
    );
    const r = await runCli(['lab', 'check', '--lab', file, '--dotenv', `${d.dir}/none.env`], {
      LAB_SSH_PASSWORD: wrong,
      NETSCALE_LOG_LEVEL: 'debug',
    });
    expect(r.code).toBe(1);
    const rows = r.out.split('\n');
    expect(rows.find((l) => l.startsWith('good '))).toMatch(
      /controlNodes\[0\],testServers\[0\]\s+OK\s+connect: reached .*bgp_stress_test: \/bin\/sh; introspect: .* answered HTTP 200/,
    );
    expect(rows.find((l) => l.startsWith('bad '))).toMatch(
      /testServers\[1\]\s+FAIL\s+FAILED auth: host "bad" \(netscale-pw@127\.0\.0\.1:\d+\): authentication failed \(password\)/,
    );
    expect(r.out).toContain('1 of 2 host(s) FAILED');
    expect(r.out).not.toContain(wrong);
    expect(r.out).not.toContain(sshd.password);
  });

  it('exits 0 when every host passes, and names a missing binary when one is absent', async () => {
    const ok = await d.write('ok.yaml', {
      ...lab({ user: sshd.passwordUser, auth: { password: '${LAB_SSH_PASSWORD}' } }),
      testServers: [
        { host: 'good', bgpStressPath: '/bin/sh' },
        { host: 'bad', bgpStressPath: '/bin/true' },
      ],
    });
    const good = await runCli(['lab', 'check', '--lab', ok, '--dotenv', `${d.dir}/none.env`], {
      LAB_SSH_PASSWORD: sshd.password,
    });
    expect(good.out).toContain('all 2 host(s) OK');
    expect(good.code).toBe(0);
    expect(good.out).not.toContain(sshd.password);

    const missing = await d.write('missing.yaml', {
      ...lab({ user: 'root', auth: { keyFile: sshd.keyFile } }),
      testServers: [{ host: 'bad', bgpStressPath: '/opt/none/bgp_stress_test' }],
    });
    const r = await runCli(['lab', 'check', '--lab', missing, '--dotenv', `${d.dir}/none.env`], {});
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED bgp_stress_test: /opt/none/bgp_stress_test not found or not executable');
  });

  it('shows who holds the lab lock, and fails when a run left changes to restore', async () => {
    const file = await d.write('state.yaml', {
      ...lab({ user: 'root', auth: { keyFile: sshd.keyFile } }),
      hosts: { good: { address: sshd.host, user: 'root', auth: { keyFile: sshd.keyFile } } },
      testServers: [{ host: 'good', bgpStressPath: '/bin/sh' }],
    });
    const check = () => runCli(['lab', 'check', '--lab', file, '--dotenv', `${d.dir}/none.env`], {});
    const free = await check();
    expect(free.out).toContain(`lab lock: free (${d.dir}/state)`);
    expect(free.code).toBe(0);

    // What a SIGKILLed run leaves: a change recorded and never closed (the lock itself expired or was forced).
    const change = {
      kind: 'env-file',
      host: 'good',
      path: '/etc/x',
      backup: '/etc/x.netscale-backup',
      created: false,
    };
    await d.write(
      'state/changes.jsonl',
      JSON.stringify({ id: 'c1', run: 'run-gone', owner: 'o', at: 'then', change }) + '\n',
    );
    const left = await check();
    expect(left.out).toContain(
      'FAILED lab lock: free; 1 change(s) left by a run that did not finish: run `netscale lab restore`',
    );
    expect(left.code).toBe(1);

    const lock = await LabLock.acquire(new LocalHost({ name: 'cn', runTag: 'check-test' }), {
      stateDir: `${d.dir}/state`,
      lab: 'check-test',
      runId: 'run-now',
    });
    try {
      expect((await check()).out).toMatch(/lab lock: in use by run run-now \(\S+@\S+, started [\dT:.Z-]+\)/);
    } finally {
      await lock.release();
    }
  });

  it('invalid config: exits 1 with the file and key, contacting nothing', async () => {
    const file = await d.write('bad.yaml', {
      ...lab({ auth: { keyFile: sshd.keyFile } }),
      routers: [{ host: 'mx80' }],
    });
    const r = await runCli(['lab', 'check', '--lab', file, '--dotenv', `${d.dir}/none.env`], {});
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}: routers[0].host: unknown host "mx80" (hosts are: good, bad)`);
  });
});
