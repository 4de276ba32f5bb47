/**
 * The one way netscale touches a lab machine. A real lab uses SshHost, the
 * embedded lab uses LocalHost; fixtures and drivers only see this interface,
 * so both labs run the same code path.
 */

export interface ExecOptions {
  /** Kill the command (whole process group) after this many ms; the result then has timedOut=true. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
}

export interface ExecResult {
  /** Exit code, or null when ended by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface SpawnOptions {
  /** Short human name of the process (shows in logs and reaper output), e.g. "bgp_stress_test#1". */
  name: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Keep stdin open as a pipe (bgp_stress_test --pause waits for it to close). Default: closed. */
  stdin?: 'pipe' | 'ignore';
  /**
   * Told every line from the very first: a listener added with onLine() after spawn() resolves can miss
   * lines that arrived with the process's start.
   */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface StopOptions {
  /** Time between TERM and KILL. Default 5000 ms. */
  graceMs?: number;
}

/** A long-lived process started on a host, leader of its own process group and tagged with the run id. */
export interface ProcessHandle {
  readonly host: string;
  readonly name: string;
  readonly pid: number;
  /** Process group id (== pid: every spawned process leads its own group). */
  readonly pgid: number;
  readonly runTag: string;
  /** Live output, one call per complete line (stdout and stderr interleaved in arrival order). */
  onLine(listener: (line: string, stream: 'stdout' | 'stderr') => void): () => void;
  /** Everything printed so far (bounded ring buffer of the last lines). */
  output(): string;
  write(data: string): Promise<void>;
  closeStdin(): Promise<void>;
  /** Resolves when the process has exited. */
  wait(): Promise<ExitStatus>;
  readonly exited: boolean;
  /** TERM to the whole group, wait graceMs, then KILL to the whole group. Idempotent. */
  stop(opts?: StopOptions): Promise<ExitStatus>;
}

export interface Host {
  /** Name from the lab file. */
  readonly name: string;
  /** Address used to reach it ("local" for LocalHost). */
  readonly address: string;
  /** Run id this host tags every process with (value of RUN_TAG_ENV), when the host tags processes. */
  readonly runTag?: string;
  /**
   * Marks the processes this Host object started (value of RUN_OWNER_ENV): several workers of one run share
   * the run id, and one's clean-up must not end another's processes.
   */
  readonly ownerTag?: string;
  /** Runs a shell command line (POSIX sh) and collects its output. Never throws for a non-zero exit. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a background process in its own process group, tagged with the run tag. */
  spawn(command: string, opts: SpawnOptions): Promise<ProcessHandle>;
  put(localPath: string, remotePath: string): Promise<void>;
  get(remotePath: string, localPath: string): Promise<void>;
  writeFile(remotePath: string, content: string | Uint8Array): Promise<void>;
  readFile(remotePath: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Environment variable that marks every process netscale starts; the reaper looks for it in /proc/<pid>/environ. */
export const RUN_TAG_ENV = 'NETSCALE_RUN_TAG';
/** Environment variable naming the Host object (in one netscale process) that started the process. */
export const RUN_OWNER_ENV = 'NETSCALE_RUN_OWNER';

/** A fresh owner tag: this process and a random part, unique per Host object. */
export function newOwnerTag(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
