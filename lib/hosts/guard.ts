/**
 * The shell side of process lifecycle, identical for local and SSH hosts so
 * both run the same code path. Only POSIX sh, setsid and /proc are needed on
 * a lab machine (no node there).
 *
 * spawn: a guard shell starts the command as the leader of a new session and
 * process group (setsid), reports its pgid on stderr, and watches the process
 * that launched it (node locally, the sshd connection process remotely). If
 * that parent exits (netscale killed with SIGKILL, SSH connection dropped;
 * a zombie not yet reaped counts as exited) the guard sends TERM, then KILL,
 * to the whole group. The command
 * keeps the guard's stdin, so writing to it and closing it (bgp_stress_test
 * --pause waits for EOF) reach the command itself.
 *
 * Every process carries RUN_TAG_ENV (the run id), RUN_OWNER_ENV (the Host
 * object that started it) and NETSCALE_RUN_PARENT (the pid of that launching
 * parent) in its environment; the reaper reads them from /proc/<pid>/environ.
 */
import { RUN_OWNER_ENV, RUN_TAG_ENV } from './host.ts';
import { shellQuote } from './shell-quote.ts';

export const RUN_PARENT_ENV = 'NETSCALE_RUN_PARENT';
/** argv[0] of guard shells and exec wrappers, so they are recognisable in ps and reaper output. */
export const GUARD_NAME = 'netscale-guard';
export const EXEC_NAME = 'netscale-exec';
/** Seconds the guard waits between TERM and KILL once its parent is gone. */
const ORPHAN_GRACE_S = 2;

// The marker is framed by ASCII record separators (\x1e), which ordinary program output never contains.
// eslint-disable-next-line no-control-regex
const MARKER_RE = /\x1eNETSCALE_PGID=(\d+)\x1e\n/;
const PRINT_MARKER = (pidExpr: string) => `printf '\\036NETSCALE_PGID=%s\\036\\n' ${pidExpr} >&2`;

/** Guard script, run as `sh -c GUARD_SCRIPT netscale-guard <command>`. */
export const GUARD_SCRIPT = [
  `${RUN_PARENT_ENV}=$PPID; export ${RUN_PARENT_ENV}`,
  'exec 3<&0',
  'setsid /bin/sh -c "$1" <&3 3<&- &',
  'child=$!',
  'exec 3<&- </dev/null',
  // Report the pgid only once setsid has made the group, so a stop right after spawn finds it (bounded spin).
  'i=0; while [ $i -lt 100000 ] && ! kill -0 -"$child" 2>/dev/null && kill -0 "$child" 2>/dev/null; do i=$((i+1)); done',
  PRINT_MARKER('"$child"'),
  // The parent counts as gone once it has exited, even while its own parent has not reaped it yet: a
  // zombie (state Z, or X while being reaped) keeps its /proc entry, maybe for as long as that parent runs.
  // The state is the first field after the command name, which may itself hold spaces and parentheses.
  `parent_alive() { s=$(cat /proc/$${RUN_PARENT_ENV}/stat 2>/dev/null) || return 1; s=\${s##*') '}; case "\${s%% *}" in Z|X|'') return 1;; esac; }`,
  `(while parent_alive; do sleep 1; done;` +
    ` kill -TERM -"$child" 2>/dev/null && sleep ${ORPHAN_GRACE_S} && kill -KILL -"$child" 2>/dev/null) </dev/null >/dev/null 2>&1 &`,
  'wait "$child"',
  'code=$?',
  // The guard leads its own group: TERM to it ends the watcher and its sleep, the trap keeps the exit code.
  `trap 'exit $code' TERM`,
  'kill -TERM 0',
  'exit $code',
].join('\n');

/** Exec wrapper: reports its pgid (sshd made it a session leader) and runs the command. */
const EXEC_SCRIPT = [
  `${RUN_PARENT_ENV}=$PPID; export ${RUN_PARENT_ENV}`,
  PRINT_MARKER('$$'),
  'exec /bin/sh -c "$1"',
].join('\n');

export interface RemoteLineOptions {
  runTag: string;
  ownerTag?: string;
  env?: Record<string, string>;
  cwd?: string;
}

function envPrefix(o: RemoteLineOptions): string {
  const vars = { ...o.env, [RUN_TAG_ENV]: o.runTag, ...(o.ownerTag ? { [RUN_OWNER_ENV]: o.ownerTag } : {}) };
  return Object.entries(vars)
    .map(([k, v]) => shellQuote(`${k}=${v}`))
    .join(' ');
}

function withCwd(command: string, cwd?: string): string {
  return cwd ? `cd ${shellQuote(cwd)} || exit 126\n${command}` : command;
}

/** Command line for an SSH exec channel that starts `command` under the guard. */
export function remoteSpawnLine(command: string, o: RemoteLineOptions): string {
  return `exec env ${envPrefix(o)} /bin/sh -c ${shellQuote(GUARD_SCRIPT)} ${GUARD_NAME} ${shellQuote(withCwd(command, o.cwd))}`;
}

/** Command line for an SSH exec channel that runs `command` in its own (tagged) process group. */
export function remoteExecLine(command: string, o: RemoteLineOptions): string {
  return `exec env ${envPrefix(o)} /bin/sh -c ${shellQuote(EXEC_SCRIPT)} ${EXEC_NAME} ${shellQuote(withCwd(command, o.cwd))}`;
}

/**
 * Takes the pgid marker out of a stderr stream (a spawned command may print
 * before the guard reports its pgid, so the marker can follow other output).
 * Stderr is held back until the marker was seen.
 */
export class PgidMarkerReader {
  pgid: number | undefined;
  private held = '';

  /** Returns stderr text that belongs to the command (empty until the marker was seen). */
  feed(chunk: string): string {
    if (this.pgid !== undefined) return chunk;
    this.held += chunk;
    const m = MARKER_RE.exec(this.held);
    if (!m) return '';
    this.pgid = Number(m[1]);
    const out = this.held.slice(0, m.index) + this.held.slice(m.index + m[0].length);
    this.held = '';
    return out;
  }
}
