/** SshHost against a real sshd: authentication methods and host key verification. */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshHost, SshHostError, type SshHostOptions } from '../../lib/hosts/ssh-host.ts';
import { sshHostOptions, startSshd, type Sshd } from '../support/sshd.ts';

describe('SshHost authentication and host keys', () => {
  let sshd: Sshd;
  const opened: SshHost[] = [];
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    for (const h of opened) await h.close();
    await sshd?.stop();
  });

  function host(over: Partial<SshHostOptions>): SshHost {
    const h = new SshHost({
      ...sshHostOptions(sshd, 'a2s41'),
      connectTimeoutMs: 5000,
      runTag: 'auth-test',
      ...over,
    });
    opened.push(h);
    return h;
  }

  it('authenticates with a key file', async () => {
    expect((await host({}).exec('id -un')).stdout.trim()).toBe('root');
  });

  it('authenticates with an encrypted key file and its passphrase', async () => {
    const h = host({ auth: { keyFile: sshd.encryptedKeyFile, passphrase: sshd.keyPassphrase } });
    expect((await h.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('authenticates with a password', async () => {
    const h = host({ user: sshd.passwordUser, auth: { password: sshd.password } });
    expect((await h.exec('id -un')).stdout.trim()).toBe(sshd.passwordUser);
  });

  it('reports a wrong password as an auth failure naming the host, without the password', async () => {
    const wrong = `${sshd.password}-wrong`;
    const err = await host({ user: sshd.passwordUser, auth: { password: wrong } })
      .exec('true')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshHostError);
    expect((err as SshHostError).kind).toBe('auth');
    expect((err as Error).message).toMatch(
      /host "a2s41" \(netscale-pw@127\.0\.0\.1:\d+\): authentication failed \(password\)/,
    );
    expect((err as Error).message).not.toContain(wrong);
  });

  it('refuses an unknown host key under the strict policy, naming host and fingerprint', async () => {
    const empty = join(sshd.dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const err = await host({ knownHostsFile: empty })
      .exec('true')
      .catch((e: unknown) => e);
    expect((err as SshHostError).kind).toBe('host-key');
    expect((err as Error).message).toContain(
      `host "a2s41" ([127.0.0.1]:${sshd.port}): unknown host key ssh-ed25519 ${sshd.hostKeyFingerprint}`,
    );
  });

  it('refuses a changed host key even under accept-new, naming both fingerprints', async () => {
    const otherKey = join(sshd.dir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const otherPub = (await readFile(`${otherKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    const changed = join(sshd.dir, 'changed_known_hosts');
    await writeFile(changed, `[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    const otherFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${otherKey}.pub`])
      .toString()
      .split(' ')[1]!;
    const err = await host({ knownHostsFile: changed, knownHosts: 'accept-new' })
      .exec('true')
      .catch((e: unknown) => e);
    expect((err as SshHostError).kind).toBe('host-key');
    expect((err as Error).message).toContain('host key CHANGED');
    expect((err as Error).message).toContain(otherFp);
    expect((err as Error).message).toContain(sshd.hostKeyFingerprint);
  });

  it('accept-new records an unknown key, and the next connection checks against it', async () => {
    const file = join(sshd.dir, 'new_known_hosts');
    await writeFile(file, '');
    expect((await host({ knownHostsFile: file, knownHosts: 'accept-new' }).exec('echo first')).code).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `),
    );
    expect((await host({ knownHostsFile: file, knownHosts: 'strict' }).exec('echo again')).stdout).toBe(
      'again\n',
    );
  });

  it('hashed known_hosts entries are understood', async () => {
    const file = join(sshd.dir, 'hashed_known_hosts');
    await writeFile(file, await readFile(sshd.knownHostsFile));
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    expect((await host({ knownHostsFile: file }).exec('true')).code).toBe(0);
  });

  it('reaches a host through a jump host', async () => {
    const jump = host({ name: 'jump' });
    const behind = host({ name: 'behind', jump });
    expect((await behind.exec('echo via jump')).stdout).toBe('via jump\n');
  });

  it('reports a closed port as a connect error naming the host', async () => {
    const err = await host({ port: 1 })
      .exec('true')
      .catch((e: unknown) => e);
    expect((err as SshHostError).kind).toBe('connect');
    expect((err as Error).message).toMatch(/host "a2s41" \(root@127\.0\.0\.1:1\): cannot connect/);
  });
});
