/**
 * Host reached over SSH (ssh2). One connection per host, opened on first use
 * and reused; channels go through a ChannelQueue so any number of concurrent
 * commands respect the server's MaxSessions. Host keys are checked against
 * known_hosts (see known-hosts.ts); a jump host tunnels the TCP connection.
 * Every error names the host and passes through the secret redactor.
 */
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { ExecOptions, ExecResult, ExitStatus, Host, ProcessHandle, SpawnOptions } from './host.ts';
import { newOwnerTag } from './host.ts';
import { ChannelQueue, type Release } from './channel-queue.ts';
import { verifyHostKey, type KnownHostsPolicy } from './known-hosts.ts';
import { PgidMarkerReader, remoteExecLine, remoteSpawnLine } from './guard.ts';
import { OutputLines } from './output-lines.ts';
import { TaggedProcess } from './tagged-process.ts';
import { exitStatusFromShell } from './exit-status.ts';
import { abortError, execDeadline } from './exec-deadline.ts';
import { monotonicMs, sleep } from '../clock.ts';
import { redact } from '../log/redact.ts';

export type SshAuth =
  { password: string } | { keyFile: string; passphrase?: string } | { agent: true | string };

export interface SshHostOptions {
  name: string;
  address: string;
  port?: number;
  user?: string;
  auth?: SshAuth;
  knownHosts?: KnownHostsPolicy;
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  jump?: SshHost;
  /** Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Default 15000 ms; 0 disables keepalive. */
  keepaliveIntervalMs?: number;
  /** Channels open at once (server's MaxSessions). Default 10. */
  maxSessions?: number;
  runTag: string;
}

/** A failure talking to one SSH host; the message names the host and never holds a secret. */
export class SshHostError extends Error {
  constructor(
    readonly host: string,
    message: string,
    readonly kind: 'connect' | 'auth' | 'host-key' | 'channel' | 'sftp' = 'channel',
  ) {
    super(redact(message));
    this.name = 'SshHostError';
  }
}

const GROUP_POLL_MS = 250;
/** A command's output may be held open by a daemonized grandchild; stop waiting for EOF this long after exit. */
const EOF_AFTER_EXIT_MS = 2000;
/**
 * Channel-open failure reasons that mean "no session now": OpenSSH's sshd answers CONNECT_FAILED (2, "open
 * failed") when it will not open a session, other servers ADMINISTRATIVELY_PROHIBITED (1).
 */
const SESSION_REFUSED = new Set<unknown>([1, 2]);
const sessionRefused = (err: unknown) => SESSION_REFUSED.has((err as { reason?: unknown }).reason);
const SESSION_REFUSED_RETRY_MS = 5000;

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SshHost implements Host {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly runTag: string;
  readonly ownerTag = newOwnerTag();
  private readonly queue: ChannelQueue;
  private conn: Promise<Client> | undefined;
  private readonly closed = new WeakSet<Client>();
  private connectedOnce = false;

  constructor(private readonly opts: SshHostOptions) {
    this.name = opts.name;
    this.address = opts.address;
    this.port = opts.port ?? 22;
    this.user = opts.user ?? userInfo().username;
    this.runTag = opts.runTag;
    this.queue = new ChannelQueue(opts.maxSessions ?? 10);
  }

  /** Whether a connection was ever established (nothing can have been started on the host otherwise). */
  get hasConnected(): boolean {
    return this.connectedOnce;
  }

  private get where(): string {
    return `host "${this.name}" (${this.user}@${this.address}:${this.port})`;
  }

  /** The shared connection, opened on first use and again after it dropped. */
  connection(): Promise<Client> {
    this.conn ??= this.connect().catch((err) => {
      this.conn = undefined;
      throw err;
    });
    return this.conn;
  }

  private async connect(): Promise<Client> {
    const o = this.opts;
    let hostKeyProblem: string | undefined;
    const cfg: ConnectConfig = {
      host: this.address,
      port: this.port,
      username: this.user,
      readyTimeout: o.connectTimeoutMs ?? 10_000,
      keepaliveInterval: o.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        verifyHostKey({
          hostName: this.name,
          address: this.address,
          port: this.port,
          key,
          file: o.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
          policy: o.knownHosts ?? 'strict',
        }).then(
          (v) => {
            if (!v.ok) hostKeyProblem = v.message;
            verify(v.ok);
          },
          (err) => {
            hostKeyProblem = `${this.where}: cannot check the host key: ${errText(err)}`;
            verify(false);
          },
        );
      },
    };
    const auth = o.auth;
    if (auth && 'password' in auth) cfg.password = auth.password;
    else if (auth && 'keyFile' in auth) {
      try {
        cfg.privateKey = await readFile(auth.keyFile);
      } catch (err) {
        throw new SshHostError(
          this.name,
          `${this.where}: cannot read key file ${auth.keyFile}: ${errText(err)}`,
          'auth',
        );
      }
      if (auth.passphrase !== undefined) cfg.passphrase = auth.passphrase;
    } else if (auth && 'agent' in auth) {
      const sock = auth.agent === true ? process.env.SSH_AUTH_SOCK : auth.agent;
      if (!sock)
        throw new SshHostError(this.name, `${this.where}: auth agent: SSH_AUTH_SOCK is not set`, 'auth');
      cfg.agent = sock;
    }
    if (o.jump) cfg.sock = await this.tunnelThrough(o.jump);

    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error & { level?: string }) => {
        client.off('ready', onReady);
        if (hostKeyProblem) reject(new SshHostError(this.name, hostKeyProblem, 'host-key'));
        else if (err.level === 'client-authentication')
          reject(
            new SshHostError(
              this.name,
              `${this.where}: authentication failed (${this.authName()}): ${err.message}`,
              'auth',
            ),
          );
        else if (/Cannot parse privateKey|passphrase/i.test(err.message))
          reject(
            new SshHostError(this.name, `${this.where}: cannot use the key file: ${err.message}`, 'auth'),
          );
        else reject(new SshHostError(this.name, `${this.where}: cannot connect: ${err.message}`, 'connect'));
      };
      const onReady = () => {
        client.off('error', onError);
        resolve();
      };
      client.once('error', onError);
      client.once('ready', onReady);
      try {
        client.connect(cfg);
      } catch (err) {
        onError(err as Error);
      }
    });
    this.connectedOnce = true;
    // Later errors (keepalive timeout, reset) end this connection; the next use reconnects.
    client.on('error', () => {});
    client.once('close', () => {
      this.closed.add(client);
      this.conn = undefined;
    });
    return client;
  }

  private authName(): string {
    const a = this.opts.auth;
    if (!a) return 'no auth configured';
    if ('password' in a) return 'password';
    if ('keyFile' in a) return `key file ${a.keyFile}`;
    return 'ssh-agent';
  }

  private async tunnelThrough(jump: SshHost): Promise<Readable> {
    const jc = await jump.connection();
    return new Promise((resolve, reject) => {
      jc.forwardOut('127.0.0.1', 0, this.address, this.port, (err, stream) => {
        if (err)
          reject(
            new SshHostError(
              this.name,
              `${this.where}: jump host "${jump.name}" cannot reach it: ${err.message}`,
              'connect',
            ),
          );
        else resolve(stream);
      });
    });
  }

  /**
   * Opens an exec channel inside a queue slot; the slot is released when the channel closes. sshd frees a
   * closed session only in its next loop, so an open that follows a close in the same read is refused
   * (as at MaxSessions): such a refusal is retried for a short while.
   */
  private async openChannel(line: string, urgent: boolean, signal?: AbortSignal): Promise<ClientChannel> {
    const release: Release = await this.queue.acquire({ urgent, signal });
    try {
      const client = await this.connection();
      const open = () =>
        new Promise<ClientChannel>((resolve, reject) => {
          client.exec(line, (err, ch) => (err ? reject(err) : resolve(ch)));
        });
      const giveUpAt = monotonicMs() + SESSION_REFUSED_RETRY_MS;
      for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
        try {
          const stream = await open();
          stream.once('close', release);
          return stream;
        } catch (err) {
          if (!sessionRefused(err) || monotonicMs() >= giveUpAt || signal?.aborted) throw err;
          await sleep(pause);
        }
      }
    } catch (err) {
      release();
      if (err instanceof SshHostError) throw err;
      const refused = sessionRefused(err);
      throw new SshHostError(
        this.name,
        `${this.where}: cannot open a channel: ${errText(err)}` +
          (refused
            ? ` (sshd refused a session for ${SESSION_REFUSED_RETRY_MS / 1000} s: is its MaxSessions below this host's maxSessions, ${this.queue.maxChannels}?)`
            : ''),
        'channel',
      );
    }
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, opts, false);
  }

  private async run(command: string, opts: ExecOptions, urgent: boolean): Promise<ExecResult> {
    const what = `${this.name}: ${command}`;
    if (opts.signal?.aborted) throw abortError(opts.signal, what);
    const started = monotonicMs();
    let stream: ClientChannel;
    try {
      stream = await this.openChannel(
        remoteExecLine(command, {
          runTag: this.runTag,
          ownerTag: this.ownerTag,
          env: opts.env,
          cwd: opts.cwd,
        }),
        urgent,
        opts.signal,
      );
    } catch (err) {
      if (opts.signal?.aborted) throw abortError(opts.signal, what);
      throw err;
    }
    const marker = new PgidMarkerReader();
    let stdout = '';
    let stderr = '';
    stream.setEncoding('utf8');
    stream.stderr.setEncoding('utf8');
    stream.on('data', (d: string) => (stdout += d));
    stream.stderr.on('data', (d: string) => (stderr += marker.feed(d)));
    const deadline = execDeadline(
      async (sig) => {
        if (marker.pgid !== undefined) await this.signalGroup(marker.pgid, sig);
        else stream.close();
      },
      opts.timeoutMs,
      opts.signal,
    );
    if (opts.input !== undefined) stream.end(opts.input);
    else stream.end();
    const status = await this.channelExit(stream);
    deadline.dispose();
    if (deadline.aborted) throw abortError(opts.signal, what);
    return { ...status, stdout, stderr, timedOut: deadline.timedOut, durationMs: monotonicMs() - started };
  }

  /** Resolves with the exit status once the channel reported it and its output ended (bounded after exit). */
  private channelExit(stream: ClientChannel): Promise<ExitStatus> {
    return new Promise((resolve) => {
      let status: ExitStatus | undefined;
      let eofTimer: NodeJS.Timeout | undefined;
      stream.on('exit', (code: number | null, signal?: string) => {
        status = exitStatusFromShell(code, signal ?? null);
        eofTimer = setTimeout(() => stream.close(), EOF_AFTER_EXIT_MS);
      });
      // ssh2 repeats the exit status on 'close': it may have reported 'exit' in the same read as the
      // channel's opening, before this listener was attached (seen with 50 hosts at once).
      stream.once('close', (code?: number | null, signal?: string) => {
        clearTimeout(eofTimer);
        if (!status && (code !== undefined || signal !== undefined))
          status = exitStatusFromShell(code ?? null, signal ?? null);
        // No exit status at all: the connection dropped under the command.
        resolve(status ?? { code: null, signal: null });
      });
    });
  }

  private async signalGroup(pgid: number, sig: 'TERM' | 'KILL'): Promise<void> {
    await this.run(`kill -${sig} -${pgid} 2>/dev/null; true`, { timeoutMs: 10_000 }, true);
  }

  private async groupAlive(pgid: number): Promise<boolean> {
    const r = await this.run(`kill -0 -${pgid} 2>/dev/null && echo alive; true`, { timeoutMs: 10_000 }, true);
    return r.stdout.includes('alive');
  }

  async spawn(command: string, opts: SpawnOptions): Promise<ProcessHandle> {
    const line = remoteSpawnLine(command, {
      runTag: this.runTag,
      ownerTag: this.ownerTag,
      env: opts.env,
      cwd: opts.cwd,
    });
    const stream = await this.openChannel(line, false);
    if (opts.stdin !== 'pipe') stream.end();
    const lines = new OutputLines();
    if (opts.onLine) lines.onLine(opts.onLine);
    const marker = new PgidMarkerReader();
    stream.setEncoding('utf8');
    stream.stderr.setEncoding('utf8');
    stream.on('data', (d: string) => lines.push('stdout', d));
    const pgid = new Promise<number>((resolve, reject) => {
      stream.stderr.on('data', (d: string) => {
        const rest = marker.feed(d);
        if (marker.pgid !== undefined) resolve(marker.pgid);
        if (rest) lines.push('stderr', rest);
      });
      stream.once('close', () =>
        reject(
          new SshHostError(this.name, `${this.where}: ${opts.name} ended before it started: ${command}`),
        ),
      );
    });
    const exit = this.channelExit(stream).then((s) => {
      lines.flush();
      return s;
    });
    const pid = await pgid;
    return new TaggedProcess(
      this.name,
      opts.name,
      pid,
      this.runTag,
      lines,
      {
        pollMs: GROUP_POLL_MS,
        signalGroup: (sig) => this.signalGroup(pid, sig),
        groupAlive: () => this.groupAlive(pid),
        write: (data) =>
          new Promise((resolve, reject) => {
            if (opts.stdin !== 'pipe')
              return reject(new Error(`${this.name}: ${opts.name} was started without stdin: 'pipe'`));
            stream.write(data, (err?: Error | null) => (err ? reject(err) : resolve()));
          }),
        closeStdin: async () => {
          stream.end();
        },
      },
      exit,
    );
  }

  private async withSftp<T>(what: string, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const release = await this.queue.acquire();
    let sftp: SFTPWrapper | undefined;
    try {
      const client = await this.connection();
      sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      return await fn(sftp);
    } catch (err) {
      if (err instanceof SshHostError) throw err;
      throw new SshHostError(this.name, `${this.where}: ${what}: ${errText(err)}`, 'sftp');
    } finally {
      if (sftp) {
        sftp.once('close', release);
        sftp.end();
      } else release();
    }
  }

  put(localPath: string, remotePath: string): Promise<void> {
    return this.withSftp(
      `upload ${localPath} to ${remotePath}`,
      (s) =>
        new Promise((resolve, reject) =>
          s.fastPut(localPath, remotePath, (err) => (err ? reject(err) : resolve())),
        ),
    );
  }

  get(remotePath: string, localPath: string): Promise<void> {
    return this.withSftp(
      `download ${remotePath} to ${localPath}`,
      (s) =>
        new Promise((resolve, reject) =>
          s.fastGet(remotePath, localPath, (err) => (err ? reject(err) : resolve())),
        ),
    );
  }

  writeFile(remotePath: string, content: string | Uint8Array): Promise<void> {
    return this.withSftp(
      `write ${remotePath}`,
      (s) =>
        new Promise((resolve, reject) =>
          s.writeFile(remotePath, Buffer.from(content), (err) => (err ? reject(err) : resolve())),
        ),
    );
  }

  readFile(remotePath: string): Promise<Buffer> {
    return this.withSftp(
      `read ${remotePath}`,
      (s) =>
        new Promise((resolve, reject) =>
          s.readFile(remotePath, (err, data) => (err ? reject(err) : resolve(data))),
        ),
    );
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    const client = await conn.catch(() => undefined);
    if (!client || this.closed.has(client)) return;
    await new Promise<void>((resolve) => {
      client.once('close', () => resolve());
      client.end();
    });
  }
}
