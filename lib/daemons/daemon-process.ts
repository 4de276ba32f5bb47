/**
 * The process side shared by every daemon driver: a temp dir netscale owns, the daemon started through
 * the topology's Host (so it is run-tagged and guarded), a wait until it listens (polled with
 * runAndExpect, cut short when the daemon exits), its real pid, and a stop that ends only its own
 * process group and removes the temp dir.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, ProcessHandle } from '../hosts/host.ts';
import { parseProcStat } from '../hosts/proc-stat.ts';
import { createLogger } from '../log/logger.ts';
import { runAndExpect } from '../measure/run-and-expect.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { BgpDaemonKind, BgpDaemonStartOptions, StartedBgpDaemon } from './bgp-daemon.ts';

const log = createLogger('daemon');

export const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export function makeDaemonDir(kind: BgpDaemonKind): Promise<string> {
  return mkdtemp(join(tmpdir(), `netscale-${kind}-`));
}

export interface DaemonLaunch {
  kind: BgpDaemonKind;
  host: Host;
  /** The daemon's program and arguments; exec'd, so the daemon replaces the shell and keeps its pid. */
  argv: readonly string[];
  /** The daemon's process name in /proc/<pid>/stat (comm): gobgpd, bird, bgpd. */
  comm: string;
  address: string;
  port: number;
  timeoutMs: number;
  env?: Record<string, string>;
  /** Every line the daemon prints, from the first. */
  onLine?: (line: string) => void;
}

export interface RunningDaemon {
  handle: ProcessHandle;
  pid: number;
}

/** pids of the processes in process group `pgid` whose comm is `comm`, from /proc/<pid>/stat. */
export async function groupMembers(pgid: number, comm: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = parseProcStat(await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => ''));
    if (stat?.comm === comm && stat.pgrp === pgid) out.push(Number(entry));
  }
  return out;
}

/** Whether `ss -Hltn` output shows a listener on address:port (or on every address). */
export function listensOn(ssOutput: string, address: string, port: number): boolean {
  const locals = ssOutput
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3])
    .filter((l): l is string => l !== undefined);
  return locals.some((l) =>
    [`${address}:${port}`, `0.0.0.0:${port}`, `*:${port}`, `[::]:${port}`].includes(l),
  );
}

export async function launchDaemon(l: DaemonLaunch): Promise<RunningDaemon> {
  const command = ['exec', ...l.argv].map(shellQuote).join(' ');
  const handle = await l.host.spawn(command, {
    name: l.kind,
    ...(l.env ? { env: l.env } : {}),
    ...(l.onLine ? { onLine: l.onLine } : {}),
  });
  const what = `${l.kind} on ${l.host.name} listening on ${l.address}:${l.port}`;
  // Should the daemon exit (bad config, port taken), the wait ends at once with its output.
  const exited = new AbortController();
  void handle
    .wait()
    .then((s) =>
      exited.abort(
        new Error(
          `${l.kind} on ${l.host.name} exited while starting (${JSON.stringify(s)}): ${handle.output().slice(-2000)}`,
        ),
      ),
    );
  try {
    const listening = await runAndExpect(
      async (signal) => {
        const r = await l.host.exec(`ss -Hltn 'sport = :${l.port}'`, { timeoutMs: 5_000, signal });
        if (r.code !== 0) throw new Error(`ss failed: ${r.stderr.trim()}`);
        return listensOn(r.stdout, l.address, l.port);
      },
      true,
      { timeoutMs: l.timeoutMs, intervalMs: 50, signal: exited.signal, what },
    );
    if (!listening.ok)
      throw new Error(`${listening.message}; daemon output: ${handle.output().slice(-2000)}`);
    const pids = await groupMembers(handle.pgid, l.comm);
    if (pids.length === 0)
      throw new Error(`${l.kind} on ${l.host.name}: no ${l.comm} process in process group ${handle.pgid}`);
    // The daemon is the group's first (lowest-pid) process of its name: forks come later.
    return { handle, pid: Math.min(...pids) };
  } catch (err) {
    await handle.stop({ graceMs: STOP_GRACE_MS });
    throw err;
  }
}

/** What a daemon was really started with: its listen address and port, AS, router id, pid and temp dir. */
export function startedDaemon(
  kind: BgpDaemonKind,
  o: BgpDaemonStartOptions,
  routerId: string,
  running: RunningDaemon,
  dir: string,
): StartedBgpDaemon {
  const t = o.topology;
  return {
    kind,
    address: t.dutAddress,
    port: t.bgpPort,
    localAs: o.localAs,
    routerId,
    pid: running.pid,
    dir,
  };
}

export async function stopDaemon(running: RunningDaemon | undefined, dir: string | undefined): Promise<void> {
  // A daemon that ended on its own (a crash) takes its output with its temp dir: keep what it printed last.
  if (running?.handle.exited) {
    const s = await running.handle.wait();
    log.warn(
      `${running.handle.name} (pid ${running.pid}) had ended before it was stopped (${s.signal ?? `exit ${s.code}`}); its last output:\n${running.handle.output().slice(-4000)}`,
    );
  }
  if (running) await running.handle.stop({ graceMs: STOP_GRACE_MS });
  if (dir) await rm(dir, { recursive: true, force: true });
}
