/**
 * A fake Host for /proc samplers: spawn() runs nothing, it records the sampling loop it was asked for (and
 * the pids in it) and lets the test print that loop's lines, so derivations are checked from counters the
 * test chose. `procLine` writes a sample line the way lib/measure/proc-loop.ts's shell loop prints it.
 */
import type { ExitStatus, Host, ProcessHandle } from '../../lib/hosts/host.ts';

export interface ScriptedLoop {
  command: string;
  /** The pids the loop was started with (its `pids='…'` line). */
  pids: number[];
  print(line: string): void;
  /** Ended by any means. */
  readonly ended: boolean;
  /** Ended by ProcessHandle.stop (signals), not by its stdin closing. */
  readonly signalled: boolean;
  /** The loop ends by itself (as when the machine dropped it). */
  exit(): void;
}

export interface ScriptedProcHost extends Host {
  loops: ScriptedLoop[];
}

/** `endsOnEof: false` models a loop that ignores its stdin closing (stop() must then signal it). */
export function scriptedProcHost(name = 'ts1', o: { endsOnEof?: boolean } = {}): ScriptedProcHost {
  const unsupported = (what: string) => () =>
    Promise.reject(new Error(`scripted host: ${what} not supported`));
  const loops: ScriptedLoop[] = [];
  let nextPid = 9000;
  return {
    name,
    address: name,
    loops,
    exec: unsupported('exec'),
    put: unsupported('put'),
    get: unsupported('get'),
    writeFile: unsupported('writeFile'),
    readFile: unsupported('readFile'),
    close: () => Promise.resolve(),
    spawn(command, opts) {
      const listeners = new Set<(line: string, stream: 'stdout' | 'stderr') => void>();
      if (opts.onLine) listeners.add(opts.onLine);
      let exited = false;
      let signalled = false;
      let resolveExit: (s: ExitStatus) => void = () => undefined;
      const done = new Promise<ExitStatus>((resolve) => (resolveExit = resolve));
      const end = (status: ExitStatus) => {
        exited = true;
        resolveExit(status);
      };
      const pids = (/^pids='([^']*)'/m.exec(command)?.[1] ?? '').split(' ').filter(Boolean).map(Number);
      loops.push({
        command,
        pids,
        print: (line) => {
          if (!exited) for (const l of listeners) l(line, 'stdout');
        },
        get ended() {
          return exited;
        },
        get signalled() {
          return signalled;
        },
        exit: () => end({ code: 0, signal: null }),
      });
      const pid = nextPid++;
      const handle: ProcessHandle = {
        host: name,
        name: opts.name,
        pid,
        pgid: pid,
        runTag: 'test',
        onLine(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        output: () => '',
        write: unsupported('write'),
        closeStdin: () => {
          // The loop's stdin watcher ends its group: as if killed by TERM.
          if (opts.stdin === 'pipe' && (o.endsOnEof ?? true) && !exited)
            end({ code: null, signal: 'SIGTERM' });
          return Promise.resolve();
        },
        wait: () => done,
        get exited() {
          return exited;
        },
        stop() {
          signalled = true;
          if (!exited) end({ code: null, signal: 'SIGTERM' });
          return done;
        },
      };
      return Promise.resolve(handle);
    },
  };
}

export interface ProcLineInput {
  uptime: number;
  /** user nice system idle iowait (ticks, all cores). */
  cpu: [number, number, number, number, number];
  /** MemTotal and MemAvailable, kB. */
  memKb?: [number, number];
  procs?: Array<{
    pid: number;
    utime: number;
    stime: number;
    start?: number;
    rssKb?: number;
    vszKb?: number;
  }>;
}

/** A sample line as the loop prints it (stat fields after "(comm) ": state ... utime stime ... starttime). */
export function procLine(s: ProcLineInput): string {
  const procs = (s.procs ?? []).map((p) => {
    const stat = [
      'S',
      1,
      1,
      1,
      0,
      -1,
      4194304,
      0,
      0,
      0,
      0,
      p.utime,
      p.stime,
      0,
      0,
      20,
      0,
      1,
      0,
      p.start ?? 5000,
    ];
    return `|${p.pid} ${p.rssKb ?? 1000} ${p.vszKb ?? 2000} ${stat.join(' ')} 0 0`;
  });
  const mem = s.memKb ? s.memKb.join(' ') : '-';
  return `S ${s.uptime.toFixed(2)}|${s.cpu.join(' ')} 0 0 0 0 0|${mem}${procs.join('')}`;
}
