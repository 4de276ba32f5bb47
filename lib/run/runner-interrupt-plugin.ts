/**
 * The Vitest runner's side of Ctrl-C. On SIGINT/SIGTERM Vitest's main process exits a millisecond later,
 * while its workers (each with its own handler, interrupt.ts) are still stopping the run's processes and
 * reverting its lab changes. The workers' output goes through the main process: it would be lost, a
 * worker writing to the closed pipe would die mid-cleanup, and the prompt would come back while the lab
 * is still held. This plugin holds that exit: it stops scheduling tests, passes the signal on to the
 * workers (a worker ignores a repeat within a second, so a terminal's signal to the whole group counts
 * once), waits until they are gone, bounded, and then lets Vitest's own handlers exit as they would.
 * A second signal later than that second exits at once, as in the workers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { VitestPluginContext } from 'vitest/node';
import { monotonicMs } from '../clock.ts';
import { readProcStat } from '../hosts/proc-stat.ts';
import { createLogger } from '../log/logger.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import { CLEANUP_TIMEOUT_MS, REPEAT_WINDOW_MS } from './interrupt.ts';

type Signal = 'SIGINT' | 'SIGTERM';
type Listener = (signal: Signal, code: number) => void;

/** Past the workers' own bound: they exit by then, or are gone with the runner. */
const HOLD_LIMIT_MS = CLEANUP_TIMEOUT_MS + 5000;
const POLL_MS = 50;
const log = createLogger('interrupt');

/** Whether pid is a live child of this runner (an exited one stays a zombie until Vitest reaps it). */
function runningChild(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.ppid === process.pid && stat.state !== 'Z';
}

/** Worker processes of this runner: its children running the same node binary. */
function workers(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          runningChild(pid) &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath
        );
      } catch {
        return false; // gone while listed
      }
    });
}

function signalEach(pids: number[], signal: Signal): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

/** Vitest calls the hook once per project: the signal handlers go in once per Vitest instance. */
const holding = new WeakSet<object>();

export function runnerInterruptPlugin() {
  return {
    name: 'netscale:runner-interrupt',
    configureVitest({ vitest }: VitestPluginContext) {
      // Not on Linux there is no /proc to find the workers by: Vitest's own handling stands.
      if (process.platform !== 'linux' || holding.has(vitest)) return;
      holding.add(vitest);
      let firstAt: number | undefined;
      const hold = (signal: Signal, theirs: Listener[]) => {
        const exit = () => {
          // Vitest set 1 for the cancelled run; a stopped run exits as a signalled process does.
          process.exitCode = 128 + constants.signals[signal];
          theirs.forEach((l) => l(signal, constants.signals[signal]));
        };
        if (firstAt !== undefined) {
          if (monotonicMs() - firstAt > REPEAT_WINDOW_MS) exit();
          return;
        }
        firstAt = monotonicMs();
        // No new test starts; the ones running end as their workers clean up (reported as skipped).
        void vitest.cancelCurrentRun('keyboard-input');
        const pids = workers();
        signalEach(pids, signal);
        const stillRunning = () => pids.filter(runningChild);
        void runAndExpect(stillRunning, (left: number[]) => left.length === 0, {
          timeoutMs: HOLD_LIMIT_MS,
          intervalMs: POLL_MS,
        }).then((r) => {
          log.warn(
            r.ok
              ? `${signal}: run stopped; tests that were running are reported as skipped`
              : `${signal}: exiting with Vitest worker(s) ${(r.value ?? pids).join(', ')} still cleaning up after ${HOLD_LIMIT_MS / 1000} s`,
          );
          exit();
        });
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const theirs = process.listeners(signal) as Listener[];
        for (const l of theirs) process.off(signal, l);
        const ours = () => hold(signal, theirs);
        process.on(signal, ours);
        vitest.onClose(() => {
          process.off(signal, ours);
        });
      }
    },
  };
}
