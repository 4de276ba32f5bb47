/**
 * Makes a set of network namespaces outlive nothing: a keeper shell, started through host.spawn (so the
 * guard TERMs it when the Node process that made the namespaces dies, SIGKILL included), kills what runs
 * in them and deletes them when it ends, whichever way: stop(), TERM from the guard, or its own exit.
 * Its command line carries "<prefix>keeper <id>", by which reapLeftoverNamespaces tells live namespaces
 * from a crashed run's. Each user names its namespaces `<prefix><id>-<role>` with a prefix of its own,
 * so one user's reaper never touches another's namespaces.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { Host, ProcessHandle } from './host.ts';
import { shellQuote } from './shell-quote.ts';

/** Namespaces of the BGP daemon topologies (lib/daemons). */
export const DAEMON_NAMESPACE_PREFIX = 'nsc-';
/** Namespaces of the real data plane (lib/dataplane). */
export const DATAPLANE_NAMESPACE_PREFIX = 'nsd-';
export type NamespacePrefix = typeof DAEMON_NAMESPACE_PREFIX | typeof DATAPLANE_NAMESPACE_PREFIX;

const READY_TIMEOUT_MS = 10_000;
const keeperMark = (prefix: NamespacePrefix) => `${prefix}keeper`;
const readyLine = (prefix: NamespacePrefix) => `${keeperMark(prefix)} ready`;
const namespaceRe = (prefix: NamespacePrefix) => new RegExp(`^${prefix}([a-z0-9]+)-[a-z]+$`);

/** Kills what still runs in each namespace (else it would live on, unnamed) and deletes it; quiet if gone. */
export function deleteNamespacesCommand(namespaces: readonly string[]): string {
  return namespaces
    .map((ns) => {
      const q = shellQuote(ns);
      return `{ ip netns pids ${q} 2>/dev/null | xargs -r kill -KILL 2>/dev/null; ip netns del ${q} 2>/dev/null; }`;
    })
    .concat('true')
    .join('; ');
}

export function keeperScript(prefix: NamespacePrefix, id: string, namespaces: readonly string[]): string {
  const del = shellQuote(deleteNamespacesCommand(namespaces));
  return [
    `: ${keeperMark(prefix)} ${id}`,
    // The guard KILLs the keeper's group 2 s after its TERM: the deletion runs in a session of its own,
    // so a slow `ip netns del` on a loaded machine is finished, not cut short.
    `gone() { trap - EXIT TERM INT HUP; setsid /bin/sh -c ${del} </dev/null >/dev/null 2>&1 & wait $!; exit 0; }`,
    'trap gone EXIT TERM INT HUP',
    `echo '${readyLine(prefix)}'`,
    // Its output pipes end with the Node process; a write there (the shell reporting the killed sleep)
    // would end the keeper by SIGPIPE before its trap runs.
    'exec >/dev/null 2>&1',
    // A trapped signal ends `wait` at once; the sleep is in the keeper's process group and gets it too.
    'while :; do sleep 3600 & wait $!; done',
  ].join('\n');
}

/** Starts the keeper and resolves once its traps are set (before that a TERM would skip the deletion). */
export async function startKeeper(
  host: Host,
  prefix: NamespacePrefix,
  id: string,
  namespaces: readonly string[],
): Promise<ProcessHandle> {
  const bad = namespaces.find((ns) => !namespaceRe(prefix).test(ns) || !ns.startsWith(`${prefix}${id}-`));
  if (bad !== undefined)
    throw new Error(`namespace keeper ${prefix}${id}: expected names ${prefix}${id}-<role>, found "${bad}"`);
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const keeper = await host.spawn(keeperScript(prefix, id, namespaces), {
    name: `${keeperMark(prefix)} ${id}`,
    onLine: (line) => {
      if (line === readyLine(prefix)) ready();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${host.name}: namespace keeper ${prefix}${id} (pid ${keeper.pid}) not ready within ${READY_TIMEOUT_MS} ms: ${keeper.output()}`,
          ),
        ),
      READY_TIMEOUT_MS,
    );
  });
  const exited = keeper.wait().then((s) => {
    throw new Error(
      `${host.name}: namespace keeper ${prefix}${id} exited before it was ready (${JSON.stringify(s)}): ${keeper.output()}`,
    );
  });
  try {
    await Promise.race([isReady, timeout, exited]);
  } catch (err) {
    await keeper.stop({ graceMs: 1000 });
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return keeper;
}

/** Ids of the namespace sets with this prefix whose keeper runs on this machine (from /proc/<pid>/cmdline). */
export async function liveKeeperIds(prefix: NamespacePrefix): Promise<Set<string>> {
  const ids = new Set<string>();
  const re = new RegExp(`${keeperMark(prefix)} ([a-z0-9]+)`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // A process may end between readdir and readFile.
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const m = re.exec(cmdline);
    if (m) ids.add(m[1]!);
  }
  return ids;
}

/** Names from `ip netns list` ("name" or "name (id: 3)" per line). */
export function parseNetnsList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/**
 * Deletes `<prefix>*` namespaces left by crashed runs: those whose keeper is gone. Processes still inside
 * one (a daemon or sender a crashed run started) are killed first, so the namespace really ends. Returns
 * the names it deleted. Needs root; without it there is nothing it could have made, so it returns [].
 */
export async function reapLeftoverNamespaces(host: Host, prefix: NamespacePrefix): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const list = await host.exec('ip netns list', { timeoutMs: 10_000 });
  if (list.code !== 0) return [];
  const live = await liveKeeperIds(prefix);
  const deleted: string[] = [];
  for (const ns of parseNetnsList(list.stdout)) {
    const m = namespaceRe(prefix).exec(ns);
    if (!m || live.has(m[1]!)) continue;
    const q = shellQuote(ns);
    const r = await host.exec(`ip netns pids ${q} | xargs -r kill -KILL; ip netns del ${q}`, {
      timeoutMs: 10_000,
    });
    if (r.code !== 0)
      throw new Error(
        `${host.name}: reaping leftover namespace ${ns}: ip netns del failed: ${r.stderr.trim()}`,
      );
    deleted.push(ns);
  }
  return deleted;
}
