/**
 * A real OpenSSH server for tests, started on a free loopback port.
 *
 *   const sshd = await startSshd();
 *   // sshd.host ('127.0.0.1' or listenAddress), sshd.port, sshd.user ('root', key auth with sshd.keyFile),
 *   // sshd.knownHostsFile (holds this server's host key, ready for strict checking),
 *   // sshd.passwordUser + sshd.password (password auth; a throwaway account, fresh password per start),
 *   // sshd.hostKeyFingerprint ('SHA256:...'), sshd.dir (temp dir, removed by stop()).
 *   await sshd.stop();
 *
 * The server runs `/usr/sbin/sshd -D -e -f <cfg> -p <port>` with generated ed25519 host and client keys
 * in a temp dir and MaxSessions 10 (OpenSSH's default, set explicitly because tests rely on it).
 * Requires root and openssh-server (.ci/run installs it). Startup waits for sshd's "Server listening"
 * line (bounded); stop() sends TERM to the sshd pid it started and waits for it to exit.
 * `listenAddress` puts it on another loopback address (every 127.x address is this machine), so
 * several servers look like distinct hosts (bench/fan-out.bench.ts). `setEnv` sets variables in every
 * session (sshd's SetEnv). HOME is an empty directory of the server's own unless `setEnv` names it: bash
 * sources ~/.bashrc for every command run over SSH, and root's here (pyenv init) costs about 0.6 s of
 * CPU each time, which on a loaded 2-core machine slowed the SSH tests several-fold.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshHostOptions } from '../../lib/hosts/ssh-host.ts';

export interface Sshd {
  host: string;
  port: number;
  /** User for key auth (root: the tests run as root). */
  user: string;
  /** Unencrypted OpenSSH private key authorized for `user`. */
  keyFile: string;
  /** The same key encrypted with `keyPassphrase`. */
  encryptedKeyFile: string;
  keyPassphrase: string;
  /** known_hosts file with this server's host key under `[<host>]:<port>`. */
  knownHostsFile: string;
  hostKeyFingerprint: string;
  /** Account for password auth only. */
  passwordUser: string;
  password: string;
  dir: string;
  /** The listening sshd's pid (connections and sessions are its descendants). */
  pid: number;
  stop(): Promise<void>;
}

/** SshHost options that reach this sshd with key auth and strict host-key checking. */
export function sshHostOptions(sshd: Sshd, name = 'sshd-test'): Omit<SshHostOptions, 'runTag'> {
  return {
    name,
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    auth: { keyFile: sshd.keyFile },
    knownHosts: 'strict',
    knownHostsFile: sshd.knownHostsFile,
  };
}

export interface SshdOptions {
  maxSessions?: number;
  /** Address to listen on; default 127.0.0.1. */
  listenAddress?: string;
  /** Variables set in every session (sshd SetEnv); values without '"' or newlines. */
  setEnv?: Record<string, string>;
}

const SSHD = '/usr/sbin/sshd';
const PASSWORD_USER = 'netscale-pw';
const START_TIMEOUT_MS = 10_000;

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'netscale-test', '-f', file]);
}

function ensurePasswordUser(password: string): void {
  try {
    execFileSync('id', [PASSWORD_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', PASSWORD_USER]);
  }
  execFileSync('chpasswd', { input: `${PASSWORD_USER}:${password}\n` });
}

function waitForListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => finish(new Error(`sshd did not start within ${START_TIMEOUT_MS} ms:\n${log}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Server listening on/.test(log)) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`sshd exited with ${code} before listening:\n${log}`));
    function finish(err?: Error) {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const address = opts.listenAddress ?? '127.0.0.1';
  for (const [name, value] of Object.entries(opts.setEnv ?? {}))
    if (!/^[A-Za-z_]\w*$/.test(name) || /["\n]/.test(value))
      throw new Error(`startSshd: setEnv: expected NAME and a value without '"' or newlines, found ${name}`);
  const dir = await mkdtemp(join(tmpdir(), 'netscale-sshd-'));
  const home = join(dir, 'home');
  await mkdir(home);
  const setEnv = Object.entries({ HOME: home, ...opts.setEnv }).map(([k, v]) => `SetEnv ${k}="${v}"`);
  await chmod(dir, 0o755);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  const keyFile = join(dir, 'client_ed25519');
  const encryptedKeyFile = join(dir, 'client_ed25519_enc');
  const keyPassphrase = randomBytes(9).toString('base64url');
  keygen(hostKey);
  keygen(keyFile);
  execFileSync('cp', [keyFile, encryptedKeyFile]);
  execFileSync('ssh-keygen', ['-q', '-p', '-N', keyPassphrase, '-f', encryptedKeyFile]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${keyFile}.pub`), { mode: 0o644 });
  const password = randomBytes(12).toString('base64url');
  ensurePasswordUser(password);
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])
    .toString()
    .split(/\s+/)[1]!;

  const config = [
    `HostKey ${hostKey}`,
    `ListenAddress ${address}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PermitRootLogin yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'UsePAM no',
    'StrictModes no',
    `MaxSessions ${opts.maxSessions ?? 10}`,
    'MaxStartups 100',
    `PidFile ${join(dir, 'sshd.pid')}`,
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
    ...setEnv,
  ].join('\n');
  const cfg = join(dir, 'sshd_config');
  await writeFile(cfg, config + '\n');

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(address);
    const child = spawn(SSHD, ['-D', '-e', '-f', cfg, '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await waitForListening(child);
    } catch (err) {
      lastError = err;
      if (child.exitCode === null) child.kill('SIGKILL');
      continue;
    }
    // Keep draining sshd's log so it never blocks on a full pipe.
    child.stderr?.resume();
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(knownHostsFile, `[${address}]:${port} ${hostPub}\n`);
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    };
    return {
      host: address,
      port,
      user: 'root',
      keyFile,
      encryptedKeyFile,
      keyPassphrase,
      knownHostsFile,
      hostKeyFingerprint,
      passwordUser: PASSWORD_USER,
      password,
      dir,
      // Defined: the process started, it printed "Server listening".
      pid: child.pid ?? Number.NaN,
      stop,
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
