/**
 * Cleanup on SIGINT/SIGTERM. Vitest exits about a millisecond after Ctrl-C
 * without running teardowns, so a run registers its cleanup (reaping its
 * processes on every host) here; the handler runs all cleanups, bounded in
 * time, then exits with 128+signal. A second signal exits at once, unless it comes within a second of
 * the first: a terminal's Ctrl-C reaches the whole process group and a wrapper (npx, tsx) relays it again.
 */
import { monotonicMs } from '../clock.ts';
import { createLogger } from '../log/logger.ts';
import { redactError } from '../log/redact.ts';

export type Cleanup = () => Promise<void>;

export const CLEANUP_TIMEOUT_MS = 20_000;
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
const log = createLogger('interrupt');
const cleanups = new Set<Cleanup>();
let installed = false;
let running = false;
let firstAt = 0;
/** A repeat within this long is the same Ctrl-C delivered twice, not a user insisting. */
export const REPEAT_WINDOW_MS = 1000;

async function onSignal(signal: keyof typeof EXIT_CODES): Promise<void> {
  if (running) {
    if (monotonicMs() - firstAt > REPEAT_WINDOW_MS) process.exit(EXIT_CODES[signal]);
    return;
  }
  running = true;
  firstAt = monotonicMs();
  log.warn(`${signal}: stopping this run's processes before exit`);
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(
    [...cleanups].map((c) => c().catch((err) => log.error('cleanup failed', redactError(err)))),
  );
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, CLEANUP_TIMEOUT_MS)))]);
  clearTimeout(timer);
  process.exit(EXIT_CODES[signal]);
}

const handlers = {
  SIGINT: () => void onSignal('SIGINT'),
  SIGTERM: () => void onSignal('SIGTERM'),
};

/** Registers a cleanup to run on SIGINT/SIGTERM; returns the function that unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  if (!installed) {
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);
    installed = true;
  }
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0 && installed && !running) {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
      installed = false;
    }
  };
}
