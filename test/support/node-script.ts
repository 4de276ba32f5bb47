/** Starts a TypeScript file as a separate node process (through tsx), the way a netscale run is its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_LOADER = `${ROOT}node_modules/tsx/dist/esm/index.mjs`;

export interface NodeScript {
  child: ChildProcess;
  /** Resolves with the first stdout line that parses as JSON. */
  firstJson<T>(timeoutMs?: number): Promise<T>;
  /** Everything printed so far (stdout then stderr). */
  output(): string;
  exited(): Promise<{ code: number | null; signal: string | null }>;
}

export function startNodeScript(file: string, env: Record<string, string> = {}): NodeScript {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => stdout + stderr,
    exited: () => exit,
    firstJson<T>(timeoutMs = 20_000): Promise<T> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no JSON line within ${timeoutMs} ms:\n${stdout}${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          for (const line of stdout.split('\n')) {
            if (!line.startsWith('{')) continue;
            clearTimeout(timer);
            child.stdout!.off('data', check);
            return resolve(JSON.parse(line) as T);
          }
        };
        child.stdout!.on('data', check);
        check();
        void exit.then(() => {
          check();
          clearTimeout(timer);
          reject(new Error(`script exited before printing JSON:\n${stdout}${stderr}`));
        });
      });
    },
  };
}
