/**
 * When each exec and spawn on a set of Host objects began and ended, recorded by wrapping those objects'
 * methods: code under measurement that reaches the hosts through the lab's roles (which hold the same
 * objects) is timed step by step without being changed.
 *
 *   const rec = recordHostCalls(lab.testServers.map((t) => t.host), { rerunLostExitStatus: true });
 *   rec.clear(); await load.start(0); rec.calls;  // [{ host, kind, start, end, reruns, process? }]
 *   rec.restore();
 *
 * rerunLostExitStatus: an exec that came back with neither exit code nor signal, not timed out (the
 * exit status never reached the caller), is run again until it has one (at most 3 times), and the
 * call records how often. Only for idempotent commands: a fan-out can then finish despite such losses,
 * at the cost of one more round trip each, and the count says how often that happened.
 */
import { monotonicMs } from '../../lib/clock.ts';
import type { ExecOptions, ExecResult, Host, ProcessHandle } from '../../lib/hosts/host.ts';

export interface HostCall {
  host: string;
  kind: 'exec' | 'spawn';
  /** Monotonic ms, from the first attempt to the last. */
  start: number;
  end: number;
  /** Execs run again because their exit status was lost. */
  reruns: number;
  /** What a spawn returned. */
  process?: ProcessHandle;
}

export interface HostCallRecorder {
  readonly calls: HostCall[];
  clear(): void;
  /** Puts the hosts' own methods back. */
  restore(): void;
}

const MAX_RERUNS = 3;

const lostExitStatus = (r: ExecResult) => r.code === null && r.signal === null && !r.timedOut;

export function recordHostCalls(
  hosts: readonly Host[],
  opts: { rerunLostExitStatus?: boolean } = {},
): HostCallRecorder {
  const calls: HostCall[] = [];
  const restores: Array<() => void> = [];
  for (const host of new Set(hosts)) {
    const { exec, spawn } = host;
    host.exec = async (command: string, execOpts?: ExecOptions): Promise<ExecResult> => {
      const start = monotonicMs();
      let reruns = 0;
      try {
        let r = await exec.call(host, command, execOpts);
        while (opts.rerunLostExitStatus && lostExitStatus(r) && reruns < MAX_RERUNS) {
          reruns++;
          r = await exec.call(host, command, execOpts);
        }
        return r;
      } finally {
        calls.push({ host: host.name, kind: 'exec', start, end: monotonicMs(), reruns });
      }
    };
    host.spawn = async (...args: Parameters<Host['spawn']>): Promise<ProcessHandle> => {
      const start = monotonicMs();
      let process: ProcessHandle | undefined;
      try {
        return (process = await spawn.apply(host, args));
      } finally {
        calls.push({ host: host.name, kind: 'spawn', start, end: monotonicMs(), reruns: 0, process });
      }
    };
    restores.push(() => {
      host.exec = exec;
      host.spawn = spawn;
    });
  }
  return {
    calls,
    clear: () => void calls.splice(0),
    restore: () => {
      for (const r of restores.splice(0)) r();
    },
  };
}
