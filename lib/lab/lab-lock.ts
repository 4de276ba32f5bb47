/**
 * The lab lock: one run at a time on a lab. It lives on controlNodes[0]'s host in the lab's stateDir, so
 * runs started from different machines see the same lock:
 *
 *   <stateDir>/lock/owner.json        run id, user, host, pid, start time, lab (shown to a second run)
 *   <stateDir>/lock/holders/<tag>     one per process of the owning run ("pid starttime hostname"),
 *                                     touched every heartbeat; the lock is free when the last one leaves
 *   <stateDir>/.guard                 flock(1) target: every read-decide-write below runs under it
 *
 * Several processes of one run (Vitest workers) share the lock. A holder is gone when its heartbeat is
 * older than staleAfterS, or at once when it ran on the lock's own host and its process no longer exists;
 * a lock with no live holder is taken over with a warning.
 *
 *   const lock = await LabLock.acquire(host, { stateDir, lab: 'contrail-a2', runId });
 *   ... await lock.release();
 */
import { hostname, userInfo } from 'node:os';
import type { Host } from '../hosts/host.ts';
import { newOwnerTag } from '../hosts/host.ts';
import { readProcStat } from '../hosts/proc-stat.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { createLogger } from '../log/logger.ts';

const log = createLogger('lab-lock');

export interface LockOwner {
  lab: string;
  runId: string;
  user: string;
  host: string;
  pid: number;
  startedAt: string;
}

export interface LabLockOptions {
  stateDir: string;
  lab: string;
  runId: string;
  /** A holder whose heartbeat is older than this is gone. Default 60 s. */
  staleAfterS?: number;
  /** Heartbeat period. Default 10 s. */
  heartbeatS?: number;
  /** Told when a heartbeat finds this holder gone (the lock was forced or taken over). */
  onLost?: (message: string) => void;
}

export class LabBusyError extends Error {
  constructor(
    readonly lab: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner
        ? `lab ${lab} is in use by run ${owner.runId} (${owner.user}@${owner.host}, started ${owner.startedAt})`
        : `lab ${lab} is in use by another run (its owner record is unreadable)`,
    );
  }
}

/** Start time of this process in clock ticks since boot (/proc/self/stat field 22): tells a reused pid apart. */
function ownStartTime(): string {
  return String(readProcStat('self')?.startTicks ?? 0);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Shell prelude: the lock paths and the guard held for the rest of the script. */
function guarded(stateDir: string, body: string): string {
  return [
    `d=${shellQuote(stateDir)}; L="$d/lock"`,
    'mkdir -p "$d" || exit 3',
    'exec 9>"$d/.guard"',
    'flock -w 30 9 || { echo "lab lock: could not take $d/.guard within 30 s" >&2; exit 4; }',
    body,
  ].join('\n');
}

/** Counts the live holders of $L into $live ($stale: seconds; $here: this host's name). */
const COUNT_LIVE = `
live=0; now=$(date +%s); here=$(cat /proc/sys/kernel/hostname)
for f in "$L"/holders/*; do
  [ -f "$f" ] || continue
  read -r pid start hn < "$f" || true
  alive=1
  [ $((now - $(stat -c %Y "$f"))) -gt "$stale" ] && alive=0
  if [ "$hn" = "$here" ]; then
    if [ ! -r "/proc/$pid/stat" ] || [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" != "$start" ]; then alive=0; fi
  fi
  [ $alive = 1 ] && live=$((live + 1))
done`;

export type LockAcquisition = 'acquired' | 'joined' | 'took-over';

export class LabLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    private readonly host: Host,
    private readonly o: LabLockOptions,
    private readonly tag: string,
    /** How this process got it: first of its run, joining its run, or from a run that is gone. */
    readonly how: LockAcquisition,
    /** The gone run's owner record, when taken over. */
    readonly previous: LockOwner | undefined,
  ) {}

  /** Takes the lock (or joins this run's); throws LabBusyError naming the run that holds it. */
  static async acquire(host: Host, o: LabLockOptions): Promise<LabLock> {
    const tag = newOwnerTag();
    const owner: LockOwner = {
      lab: o.lab,
      runId: o.runId,
      user: userInfo().username,
      host: hostname(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    const holder = `${process.pid} ${ownStartTime()} ${hostname()}`;
    const script = guarded(
      o.stateDir,
      `stale=${Math.round(o.staleAfterS ?? 60)}; status=acquired; prev=
if [ -d "$L" ]; then
${COUNT_LIVE}
  owner_run=$(sed -n 's/.*"runId":"\\([^"]*\\)".*/\\1/p' "$L/owner.json" 2>/dev/null)
  if [ $live -gt 0 ] && [ "$owner_run" = ${shellQuote(o.runId)} ]; then
    printf '%s\\n' ${shellQuote(holder)} > "$L/holders/${tag}"; echo joined; exit 0
  fi
  if [ $live -gt 0 ]; then echo busy; cat "$L/owner.json" 2>/dev/null; exit 0; fi
  status=took-over; prev=$(cat "$L/owner.json" 2>/dev/null)
  rm -rf "$L"
fi
mkdir "$L" "$L/holders" || exit 5
printf '%s' ${shellQuote(JSON.stringify(owner))} > "$L/owner.json"
printf '%s\\n' ${shellQuote(holder)} > "$L/holders/${tag}"
echo "$status"; printf '%s\\n' "$prev"`,
    );
    const r = await host.exec(script, { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new Error(
        `lab ${o.lab}: taking the lock in ${o.stateDir} on ${host.name} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`,
      );
    const [status = '', ...rest] = r.stdout.trim().split('\n');
    const other = parseOwner(rest.join('\n').trim());
    if (status === 'busy') throw new LabBusyError(o.lab, other);
    const lock = new LabLock(host, o, tag, status as LockAcquisition, other);
    if (status === 'took-over')
      log.warn(
        `lab ${o.lab}: took over the lock of run ${other?.runId ?? '(unknown)'} (${other ? `${other.user}@${other.host}, started ${other.startedAt}` : 'unreadable owner record'}): its heartbeat expired or its process is gone`,
      );
    lock.startHeartbeat();
    return lock;
  }

  private startHeartbeat(): void {
    const period = (this.o.heartbeatS ?? 10) * 1000;
    this.timer = setInterval(() => void this.beat(), period);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const f = `${this.o.stateDir}/lock/holders/${this.tag}`;
    const r = await this.host
      .exec(`[ -f ${shellQuote(f)} ] && touch ${shellQuote(f)} && echo ok`, { timeoutMs: 30_000 })
      .catch(() => undefined);
    // An unreachable host is not a lost lock: the next beat tries again.
    if (!r || this.released || r.stdout.trim() === 'ok' || r.code === null) return;
    const message = `lab ${this.o.lab}: this run no longer holds the lock in ${this.o.stateDir} on ${this.host.name} (forced or taken over)`;
    log.error(message);
    this.o.onLost?.(message);
    clearInterval(this.timer);
  }

  /** Leaves the lock; the last holder of the run frees it. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const r = await this.host.exec(
      guarded(
        this.o.stateDir,
        `rm -f "$L/holders/${this.tag}"
owner_run=$(sed -n 's/.*"runId":"\\([^"]*\\)".*/\\1/p' "$L/owner.json" 2>/dev/null)
if [ "$owner_run" = ${shellQuote(this.o.runId)} ] && [ -z "$(ls -A "$L/holders" 2>/dev/null)" ]; then rm -rf "$L"; fi`,
      ),
      { timeoutMs: 60_000 },
    );
    if (r.code !== 0)
      throw new Error(
        `lab ${this.o.lab}: releasing the lock in ${this.o.stateDir} on ${this.host.name} failed: ${r.stderr.trim().slice(0, 300)}`,
      );
  }
}

/** The lock's owner record, or undefined when the lab is free. */
export async function readLockOwner(host: Host, stateDir: string): Promise<LockOwner | undefined> {
  const r = await host.exec(`cat ${shellQuote(`${stateDir}/lock/owner.json`)} 2>/dev/null`, {
    timeoutMs: 30_000,
  });
  return r.code === 0
    ? (parseOwner(r.stdout) ?? {
        lab: '?',
        runId: '(unreadable)',
        user: '?',
        host: '?',
        pid: 0,
        startedAt: '?',
      })
    : undefined;
}

/** Removes the lock whoever holds it (`netscale lab unlock --force`); returns the owner it had. */
export async function forceUnlock(host: Host, stateDir: string): Promise<LockOwner | undefined> {
  const r = await host.exec(
    guarded(stateDir, '[ -d "$L" ] || exit 0\ncat "$L/owner.json" 2>/dev/null; echo; rm -rf "$L"'),
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0)
    throw new Error(`unlocking ${stateDir} on ${host.name} failed: ${r.stderr.trim().slice(0, 300)}`);
  const text = r.stdout.trim();
  return text ? parseOwner(text) : undefined;
}
