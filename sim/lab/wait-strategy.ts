/**
 * Wait strategies (as in testcontainers): a started service is ready when
 * each of its checks passes; every check is retried until a shared deadline.
 */
import net from 'node:net';
import { monotonicMs, sleep } from '../../lib/clock.ts';

export interface ReadinessCheck {
  /** Shown in the timeout error, e.g. "XMPP 127.0.0.1:15269". */
  describe: string;
  /** Resolves true when ready; false or a rejection means "not yet". */
  probe(signal: AbortSignal): Promise<boolean>;
}

export function tcpPortAnswers(host: string, port: number): ReadinessCheck {
  return {
    describe: `TCP ${host}:${port}`,
    probe: (signal) =>
      new Promise((resolve) => {
        const s = net.connect({ host, port, signal });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
  };
}

export function httpAnswers(url: string, okStatus = 200): ReadinessCheck {
  return {
    describe: `HTTP GET ${url}`,
    probe: async (signal) => {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
      await res.arrayBuffer();
      return res.status === okStatus;
    },
  };
}

/**
 * Polls every check until all pass or `timeoutMs` elapses. `stillAlive` lets the caller stop early
 * with its own error (e.g. the process already exited).
 */
export async function waitUntilReady(
  checks: ReadinessCheck[],
  timeoutMs: number,
  stillAlive: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = monotonicMs() + timeoutMs;
  const pending = new Set(checks);
  const ctl = new AbortController();
  try {
    while (pending.size > 0) {
      const dead = stillAlive();
      if (dead) throw new Error(dead);
      for (const c of [...pending]) {
        const ok = await c.probe(ctl.signal).catch(() => false);
        if (ok) pending.delete(c);
      }
      if (pending.size === 0) return;
      if (monotonicMs() > deadline)
        throw new Error(
          `not ready after ${timeoutMs} ms: ${[...pending].map((c) => c.describe).join(', ')} did not answer`,
        );
      await sleep(50);
    }
  } finally {
    ctl.abort();
  }
}
