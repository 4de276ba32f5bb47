/**
 * Timeout and AbortSignal for Host.exec, shared by both hosts: when either
 * fires, the command's whole process group gets TERM and, if it is still
 * there a moment later, KILL.
 */
export const EXEC_KILL_GRACE_MS = 1000;

export interface ExecDeadline {
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Call when the command has ended. */
  dispose(): void;
}

export function execDeadline(
  kill: (signal: 'TERM' | 'KILL') => Promise<void>,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): ExecDeadline {
  let timedOut = false;
  let aborted = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let done = false;
  const fire = () => {
    if (done) return;
    void kill('TERM').catch(() => {});
    graceTimer = setTimeout(() => {
      if (!done) void kill('KILL').catch(() => {});
    }, EXEC_KILL_GRACE_MS);
  };
  const timer =
    timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          fire();
        }, timeoutMs)
      : undefined;
  const onAbort = () => {
    aborted = true;
    fire();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    get timedOut() {
      return timedOut;
    },
    get aborted() {
      return aborted;
    },
    dispose() {
      done = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

export function abortError(signal: AbortSignal | undefined, what: string): Error {
  const reason: unknown = signal?.reason;
  const err = new Error(`${what} aborted${reason instanceof Error ? `: ${reason.message}` : ''}`);
  err.name = 'AbortError';
  return err;
}
