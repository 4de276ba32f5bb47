/**
 * A Host whose exec answers from a script instead of a shell: the answer is a function of the command and
 * of the (fake) monotonic time, delivered after a given latency through setTimeout, so tests on fake timers
 * control when a router "printed" what. It records every command and how many ran at once.
 */
import { monotonicMs } from '../../lib/clock.ts';
import type { ExecOptions, ExecResult, Host } from '../../lib/hosts/host.ts';

export type ScriptedAnswer = Partial<Pick<ExecResult, 'code' | 'stdout' | 'stderr' | 'timedOut'>>;

export interface ScriptedHost extends Host {
  readonly commands: string[];
  readonly maxInFlight: number;
}

export function scriptedHost(
  name: string,
  answer: (command: string, now: number) => ScriptedAnswer,
  latencyMs = 0,
): ScriptedHost {
  const commands: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const unsupported = (what: string) => () => Promise.reject(new Error(`scripted host ${name}: no ${what}`));
  return {
    name,
    address: name,
    commands,
    get maxInFlight() {
      return maxInFlight;
    },
    exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
      commands.push(command);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const started = monotonicMs();
      return new Promise<ExecResult>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          inFlight--;
          reject(new Error(`${name}: ${command}: aborted`));
        };
        const timer = setTimeout(() => {
          inFlight--;
          opts.signal?.removeEventListener('abort', onAbort);
          const a = answer(command, monotonicMs());
          resolve({
            code: a.code ?? 0,
            signal: null,
            stdout: a.stdout ?? '',
            stderr: a.stderr ?? '',
            timedOut: a.timedOut ?? false,
            durationMs: monotonicMs() - started,
          });
        }, latencyMs);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    spawn: unsupported('spawn'),
    put: unsupported('put'),
    get: unsupported('get'),
    writeFile: unsupported('writeFile'),
    readFile: unsupported('readFile'),
    close: () => Promise.resolve(),
  };
}
