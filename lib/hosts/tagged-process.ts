/**
 * ProcessHandle over any transport: the host supplies how to reach the
 * process's stdin and how to signal and probe its process group.
 */
import type { ExitStatus, ProcessHandle, StopOptions } from './host.ts';
import type { OutputLines } from './output-lines.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';

export interface ProcessGroupControl {
  /** Sends a signal to every process in the group (no error if the group is gone). */
  signalGroup(signal: 'TERM' | 'KILL'): Promise<void>;
  /** True while any process of the group exists. */
  groupAlive(): Promise<boolean>;
  write(data: string): Promise<void>;
  closeStdin(): Promise<void>;
  /** How often stop() probes the group while waiting (probing over SSH costs a round trip). */
  pollMs: number;
}

const DEFAULT_GRACE_MS = 5000;
/** After KILL the guard reports the exit within a poll; this bounds waiting for that report. */
const EXIT_REPORT_TIMEOUT_MS = 10_000;

export class TaggedProcess implements ProcessHandle {
  readonly pgid: number;
  private status: ExitStatus | undefined;
  private stopping: Promise<ExitStatus> | undefined;
  private readonly exitPromise: Promise<ExitStatus>;

  constructor(
    readonly host: string,
    readonly name: string,
    readonly pid: number,
    readonly runTag: string,
    private readonly lines: OutputLines,
    private readonly control: ProcessGroupControl,
    exit: Promise<ExitStatus>,
  ) {
    this.pgid = pid;
    this.exitPromise = exit.then((s) => {
      this.status = s;
      return s;
    });
  }

  get exited(): boolean {
    return this.status !== undefined;
  }

  onLine(listener: (line: string, stream: 'stdout' | 'stderr') => void): () => void {
    return this.lines.onLine(listener);
  }

  output(): string {
    return this.lines.text();
  }

  write(data: string): Promise<void> {
    return this.control.write(data);
  }

  closeStdin(): Promise<void> {
    return this.control.closeStdin();
  }

  wait(): Promise<ExitStatus> {
    return this.exitPromise;
  }

  stop(opts: StopOptions = {}): Promise<ExitStatus> {
    this.stopping ??= this.terminate(opts.graceMs ?? DEFAULT_GRACE_MS);
    return this.stopping;
  }

  private async terminate(graceMs: number): Promise<ExitStatus> {
    const c = this.control;
    if (await c.groupAlive()) {
      await c.signalGroup('TERM');
      const gone = await runAndExpect(async () => !(await c.groupAlive()), true, {
        timeoutMs: graceMs,
        intervalMs: c.pollMs,
      });
      if (!gone.ok) await c.signalGroup('KILL');
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`${this.host}: ${this.name} (pid ${this.pid}) did not report its exit after KILL`),
          ),
        EXIT_REPORT_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.exitPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
