/**
 * Finds and kills processes netscale started, by the run tag in their
 * environment (/proc/<pid>/environ), through Host.exec so it works the same
 * on local and SSH hosts. It only ever touches tagged processes:
 *  - reap(host, { runTag }): every process of that run; with `owner` too, only
 *    those one Host object started (workers of one run share its run id);
 *  - reap(host): leftovers of earlier runs, i.e. tagged with another run id
 *    whose controlling process is gone (a run whose launcher on that host is
 *    still alive is another live session, not a leftover).
 */
import type { Host } from './host.ts';
import { RUN_OWNER_ENV, RUN_TAG_ENV } from './host.ts';
import { RUN_PARENT_ENV } from './guard.ts';

export interface TaggedProcessInfo {
  pid: number;
  pgid: number;
  runTag: string;
  /** The Host object that started it (RUN_OWNER_ENV), '' when unknown. */
  owner: string;
  /** Whether the process that launched it (node locally, sshd remotely) still exists. */
  launcherAlive: boolean;
  command: string;
}

export interface ReapOptions {
  /** Reap exactly this run's processes. */
  runTag?: string;
  /** With runTag: only the processes this owner tag (Host.ownerTag) started. */
  owner?: string;
  /** Without runTag: the run to spare (default: the host's own run tag). */
  currentRunTag?: string;
  /** Time between TERM and KILL. Default 2000 ms. */
  graceMs?: number;
}

export interface ReapResult {
  host: string;
  killed: TaggedProcessInfo[];
}

// Lists tagged processes as "pid<TAB>pgid<TAB>tag<TAB>launcherAlive<TAB>owner<TAB>cmdline", skipping its own
// process group.
const LIST_SCRIPT = `
self=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f3)
for f in $(grep -las '${RUN_TAG_ENV}=' /proc/[0-9]*/environ 2>/dev/null); do
  d=\${f%/environ}; pid=\${d#/proc/}
  pg=$(sed 's/.*) //' $d/stat 2>/dev/null | cut -d' ' -f3)
  [ -n "$pg" ] && [ "$pg" != "$self" ] || continue
  env=$(tr '\\000' '\\n' < $f 2>/dev/null)
  tag=$(printf '%s\\n' "$env" | sed -n 's/^${RUN_TAG_ENV}=//p' | head -n1)
  [ -n "$tag" ] || continue
  parent=$(printf '%s\\n' "$env" | sed -n 's/^${RUN_PARENT_ENV}=//p' | head -n1)
  alive=0; [ -n "$parent" ] && [ -d /proc/$parent ] && alive=1
  owner=$(printf '%s\\n' "$env" | sed -n 's/^${RUN_OWNER_ENV}=//p' | head -n1)
  cmd=$(tr '\\000' ' ' < $d/cmdline 2>/dev/null | cut -c1-200)
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$pid" "$pg" "$tag" "$alive" "$owner" "$cmd"
done
`;

export async function listTaggedProcesses(host: Host): Promise<TaggedProcessInfo[]> {
  const r = await host.exec(LIST_SCRIPT, { timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new Error(`${host.name}: listing tagged processes failed (exit ${r.code}): ${r.stderr.trim()}`);
  const out: TaggedProcessInfo[] = [];
  for (const line of r.stdout.split('\n')) {
    const [pid, pgid, runTag, alive, owner, command] = line.split('\t');
    if (!pid || !pgid || !runTag) continue;
    out.push({
      pid: Number(pid),
      pgid: Number(pgid),
      runTag,
      launcherAlive: alive === '1',
      owner: owner ?? '',
      command: command ?? '',
    });
  }
  return out;
}

/** Which tagged processes reap() would kill. */
export function selectForReaping(procs: TaggedProcessInfo[], opts: ReapOptions): TaggedProcessInfo[] {
  if (opts.runTag !== undefined)
    return procs.filter(
      (p) => p.runTag === opts.runTag && (opts.owner === undefined || p.owner === opts.owner),
    );
  const liveRuns = new Set(procs.filter((p) => p.launcherAlive).map((p) => p.runTag));
  return procs.filter((p) => p.runTag !== opts.currentRunTag && !liveRuns.has(p.runTag));
}

export async function reap(host: Host, opts: ReapOptions = {}): Promise<ReapResult> {
  const currentRunTag = opts.currentRunTag ?? host.runTag;
  if (opts.runTag === undefined && currentRunTag === undefined) {
    throw new Error(`${host.name}: reap without runTag needs currentRunTag (the run to spare)`);
  }
  const victims = selectForReaping(await listTaggedProcesses(host), { ...opts, currentRunTag });
  if (victims.length === 0) return { host: host.name, killed: [] };
  const pids = victims.map((p) => p.pid).join(' ');
  const graceS = Math.max(0, opts.graceMs ?? 2000) / 1000;
  // TERM all, wait until they are gone or the grace is over (polled 10x a second), then KILL what is left.
  const script = `kill -TERM ${pids} 2>/dev/null
i=0; n=$(awk 'BEGIN{print int(${graceS}*10)}')
while [ $i -lt $n ]; do
  left=0; for p in ${pids}; do [ -d /proc/$p ] && [ "$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -c1)" != Z ] && left=1; done
  [ $left = 1 ] || break; sleep 0.1; i=$((i+1))
done
kill -KILL ${pids} 2>/dev/null; true`;
  const r = await host.exec(script, { timeoutMs: (opts.graceMs ?? 2000) + 30_000 });
  if (r.code !== 0) throw new Error(`${host.name}: killing leftover processes failed: ${r.stderr.trim()}`);
  return { host: host.name, killed: victims };
}
