/**
 * Just enough of a Host (spawn only) over node:child_process to test samplers without lib/hosts:
 * each process leads its own group; stop() signals the group; stdin is a pipe when asked for.
 */
import { spawn as spawnChild } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ExitStatus, Host, ProcessHandle } from '../../lib/hosts/host.ts';

export function minimalLocalHost(): Host {
  const unsupported = (what: string) => () =>
    Promise.reject(new Error(`minimal test host: ${what} not supported`));
  return {
    name: 'minimal-local',
    address: 'local',
    exec: unsupported('exec'),
    put: unsupported('put'),
    get: unsupported('get'),
    writeFile: unsupported('writeFile'),
    readFile: unsupported('readFile'),
    close: () => Promise.resolve(),
    async spawn(command, opts) {
      const child = spawnChild('/bin/sh', ['-c', command], {
        detached: true,
        stdio: [opts.stdin === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      const listeners = new Set<(line: string, stream: 'stdout' | 'stderr') => void>();
      // SpawnOptions.onLine is told every line from the very first, as the Host contract says.
      if (opts.onLine) listeners.add(opts.onLine);
      const lines: string[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        createInterface({ input: child[stream]! }).on('line', (line) => {
          lines.push(line);
          for (const l of listeners) l(line, stream);
        });
      }
      let exited = false;
      const done = new Promise<ExitStatus>((resolve) =>
        child.once('exit', (code, signal) => {
          exited = true;
          resolve({ code, signal });
        }),
      );
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // already gone
        }
      };
      const handle: ProcessHandle = {
        host: 'minimal-local',
        name: opts.name,
        pid: child.pid!,
        pgid: child.pid!,
        runTag: 'test',
        onLine(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        output: () => lines.join('\n'),
        write: unsupported('write'),
        closeStdin: () => {
          child.stdin?.end();
          return Promise.resolve();
        },
        wait: () => done,
        get exited() {
          return exited;
        },
        async stop(o) {
          if (!exited) kill('SIGTERM');
          const timer = setTimeout(() => kill('SIGKILL'), o?.graceMs ?? 5000);
          const status = await done;
          clearTimeout(timer);
          return status;
        },
      };
      return handle;
    },
  };
}
