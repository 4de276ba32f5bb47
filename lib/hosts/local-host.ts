/**
 * Host on this machine (the embedded lab, and the controller itself). Commands
 * run through /bin/sh with execa, each in its own process group, tagged with
 * the run id exactly like on an SSH host.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import {
  RUN_OWNER_ENV,
  RUN_TAG_ENV,
  newOwnerTag,
  type ExecOptions,
  type ExecResult,
  type Host,
  type ProcessHandle,
  type SpawnOptions,
} from './host.ts';
import { GUARD_NAME, GUARD_SCRIPT, PgidMarkerReader, RUN_PARENT_ENV } from './guard.ts';
import { OutputLines } from './output-lines.ts';
import { TaggedProcess } from './tagged-process.ts';
import { exitStatusFromShell } from './exit-status.ts';
import { abortError, execDeadline } from './exec-deadline.ts';
import { monotonicMs } from '../clock.ts';

export interface LocalHostOptions {
  name?: string;
  runTag: string;
}

const POLL_MS = 50;

function signalLocalGroup(pgid: number, signal: 'TERM' | 'KILL' | 0): void {
  try {
    process.kill(-pgid, signal === 0 ? 0 : `SIG${signal}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function localGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LocalHost implements Host {
  readonly name: string;
  readonly address = 'local';
  readonly runTag: string;
  readonly ownerTag = newOwnerTag();

  constructor(opts: LocalHostOptions) {
    this.name = opts.name ?? 'local';
    this.runTag = opts.runTag;
  }

  private env(extra?: Record<string, string>): Record<string, string> {
    return {
      ...extra,
      [RUN_TAG_ENV]: this.runTag,
      [RUN_OWNER_ENV]: this.ownerTag,
      [RUN_PARENT_ENV]: String(process.pid),
    };
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (opts.signal?.aborted) throw abortError(opts.signal, `${this.name}: ${command}`);
    const started = monotonicMs();
    const child = execa('/bin/sh', ['-c', command], {
      detached: true,
      env: this.env(opts.env),
      cwd: opts.cwd,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
      reject: false,
      stripFinalNewline: false,
      encoding: 'utf8',
    });
    const pgid = child.pid;
    const deadline = execDeadline(
      async (sig) => {
        if (pgid !== undefined) signalLocalGroup(pgid, sig);
      },
      opts.timeoutMs,
      opts.signal,
    );
    const result = await child;
    deadline.dispose();
    if (deadline.aborted) throw abortError(opts.signal, `${this.name}: ${command}`);
    if (result.failed && result.exitCode === undefined && !result.signal) {
      throw new Error(`${this.name}: cannot run /bin/sh: ${result.shortMessage}`);
    }
    const status = exitStatusFromShell(result.exitCode ?? null, result.signal ?? null);
    return {
      ...status,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      timedOut: deadline.timedOut,
      durationMs: monotonicMs() - started,
    };
  }

  async spawn(command: string, opts: SpawnOptions): Promise<ProcessHandle> {
    const child = execa('/bin/sh', ['-c', GUARD_SCRIPT, GUARD_NAME, command], {
      detached: true,
      env: this.env(opts.env),
      cwd: opts.cwd,
      stdin: opts.stdin === 'pipe' ? 'pipe' : 'ignore',
      buffer: false,
      reject: false,
      encoding: 'utf8',
    });
    const lines = new OutputLines();
    if (opts.onLine) lines.onLine(opts.onLine);
    const marker = new PgidMarkerReader();
    child.stdout?.setEncoding('utf8').on('data', (d: string) => lines.push('stdout', d));
    const pgid = new Promise<number>((resolve, reject) => {
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        const rest = marker.feed(d);
        if (marker.pgid !== undefined) resolve(marker.pgid);
        if (rest) lines.push('stderr', rest);
      });
      child.once('exit', () =>
        reject(new Error(`${this.name}: ${opts.name} exited before it started: ${command}`)),
      );
      child.once('error', reject);
    });
    const exit = child.then((r) => {
      lines.flush();
      return exitStatusFromShell(r.exitCode ?? null, r.signal ?? null);
    });
    const pid = await pgid;
    return new TaggedProcess(
      this.name,
      opts.name,
      pid,
      this.runTag,
      lines,
      {
        pollMs: POLL_MS,
        signalGroup: async (sig) => signalLocalGroup(pid, sig),
        groupAlive: async () => localGroupAlive(pid),
        write: (data) =>
          new Promise((resolve, reject) => {
            if (!child.stdin)
              return reject(new Error(`${this.name}: ${opts.name} was started without stdin: 'pipe'`));
            child.stdin.write(data, (err) => (err ? reject(err) : resolve()));
          }),
        closeStdin: async () => {
          child.stdin?.end();
        },
      },
      exit,
    );
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    await copyFile(localPath, remotePath);
  }

  async get(remotePath: string, localPath: string): Promise<void> {
    await copyFile(remotePath, localPath);
  }

  async writeFile(remotePath: string, content: string | Uint8Array): Promise<void> {
    await writeFile(remotePath, content);
  }

  async readFile(remotePath: string): Promise<Buffer> {
    return readFile(remotePath);
  }

  async close(): Promise<void> {}
}
