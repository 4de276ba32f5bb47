/**
 * When a run is interrupted (Ctrl-C, SIGTERM), its process may be killed before it has reverted its lab
 * changes: Vitest gives a worker 500 ms between TERM and KILL. So the run hands the job to a process of
 * its own: a detached `netscale lab restore --wait --after-pid <this process>`, which waits for this
 * process to exit, then reverts whatever is still pending in the change record (taking the lab once it is
 * free) or, when the run cleaned up itself, ends without touching the lab. Its output goes to a log file.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NETSCALE_BIN = fileURLToPath(new URL('../../bin/netscale.js', import.meta.url));

export interface RestoreHandoff {
  pid: number;
  log: string;
}

export function handOffRestore(o: {
  labFile: string;
  envFile?: string;
  runId: string;
  /** How long the restorer waits for the lab to be free (a remote holder's heartbeat must expire). */
  waitS: number;
  /** The process whose exit the restorer waits for before it looks at the lab; default this one. */
  afterPid?: number;
}): RestoreHandoff {
  const log = join(tmpdir(), `netscale-restore-${o.runId}.log`);
  const fd = openSync(log, 'a');
  // A run id of its own: under this run's id it would join the lock instead of taking it over.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NETSCALE_RUN_ID' && !k.startsWith('VITEST')),
  );
  const args = [NETSCALE_BIN, 'lab', 'restore', '--lab', o.labFile, '--wait', String(o.waitS)];
  args.push('--after-pid', String(o.afterPid ?? process.pid));
  if (o.envFile) args.push('--dotenv', o.envFile);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], env });
  child.unref();
  return { pid: child.pid!, log };
}
