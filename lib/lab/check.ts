/**
 * `netscale lab check`: for every host, can we connect (auth, host key) and
 * does it have what its roles need; HTTP endpoints must answer. One row per
 * host with a verdict.
 */
import type { Host } from '../hosts/host.ts';
import { SshHostError } from '../hosts/ssh-host.ts';
import { ChangeRecord } from './change-record.ts';
import { stateHost } from './lab-claim.ts';
import { readLockOwner } from './lab-lock.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import { redactError } from '../log/redact.ts';
import type { Lab } from './lab.ts';

export interface CheckItem {
  what: string;
  ok: boolean;
  detail?: string;
}

export interface HostCheck {
  host: string;
  address: string;
  roles: string[];
  ok: boolean;
  items: CheckItem[];
}

const EXEC_TIMEOUT_MS = 15_000;
const HTTP_TIMEOUT_MS = 5_000;

async function probeHttp(what: string, url: string): Promise<CheckItem> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'manual' });
    await res.body?.cancel();
    // Any HTTP answer means the service is there (the config API may want credentials).
    return { what, ok: true, detail: `${url} answered HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { what, ok: false, detail: `${url} did not answer: ${cause ?? redactError(err).message}` };
  }
}

async function probeCommand(host: Host, what: string, script: string, missing: string): Promise<CheckItem> {
  const r = await host.exec(script, { timeoutMs: EXEC_TIMEOUT_MS });
  if (r.code === 0) return { what, ok: true, detail: r.stdout.trim() || undefined };
  return { what, ok: false, detail: missing };
}

async function checkHost(lab: Lab, name: string, host: Host): Promise<HostCheck> {
  const items: CheckItem[] = [];
  const roles = lab.rolesOf(name);
  const done = () => ({ host: name, address: host.address, roles, ok: items.every((i) => i.ok), items });
  try {
    const r = await host.exec('uname -n', { timeoutMs: EXEC_TIMEOUT_MS });
    items.push({
      what: 'connect',
      ok: r.code === 0,
      detail: r.code === 0 ? `reached ${r.stdout.trim()}` : r.stderr.trim(),
    });
  } catch (err) {
    const kind = err instanceof SshHostError ? err.kind : 'connect';
    items.push({ what: kind, ok: false, detail: redactError(err).message });
    return done();
  }
  for (const ts of lab.testServers.filter((r) => r.host === host)) {
    const bin = ts.config.bgpStressPath;
    items.push(
      await probeCommand(
        host,
        'bgp_stress_test',
        `command -v ${shellQuote(bin)}`,
        `${bin} not found or not executable`,
      ),
    );
  }
  for (const tg of lab.trafficGenerators.filter((r) => r.host === host)) {
    const { baseDir, binary, script } = tg.config;
    if (tg.config.kind === 'netns') {
      // baseDir is the data plane's work dir (the sender is built there), not a MoonGen checkout.
      items.push(
        await probeCommand(
          host,
          'netns data plane',
          `{ test "$(id -u)" = 0 && command -v ip && command -v tc && command -v chrt && command -v cc && command -v python3 && mkdir -p ${shellQuote(baseDir)} && test -w ${shellQuote(baseDir)}; } >/dev/null 2>&1`,
          `expected root, iproute2 (ip, tc), chrt, a C compiler (cc), python3 and a writable work dir ${baseDir}`,
        ),
      );
      continue;
    }
    items.push(
      await probeCommand(
        host,
        'MoonGen',
        `cd ${shellQuote(baseDir)} && test -x ${shellQuote(binary)} && test -f ${shellQuote(script)}`,
        `expected executable ${binary} and script ${script} under ${baseDir}`,
      ),
    );
  }
  for (const cn of lab.controlNodes.filter((r) => r.host === host))
    items.push(await probeHttp('introspect', cn.config.introspect));
  if (stateHost(lab).host === host) items.push(await probeLabState(lab, host));
  if (lab.configApi?.host === host) items.push(await probeHttp('config API', lab.configApi.config.url));
  return done();
}

/**
 * The lab lock and change record on their host (stateHost): usable (flock, a writable stateDir), who
 * holds the lab now, and whether a run left changes that `netscale lab restore` should revert.
 */
async function probeLabState(lab: Lab, host: Host): Promise<CheckItem> {
  const what = 'lab lock';
  const dir = lab.config.stateDir;
  const usable = await host.exec(
    `command -v flock >/dev/null && mkdir -p ${shellQuote(dir)} && test -w ${shellQuote(dir)}`,
    { timeoutMs: EXEC_TIMEOUT_MS },
  );
  if (usable.code !== 0)
    return { what, ok: false, detail: `needs flock (util-linux) and a writable stateDir ${dir}` };
  const owner = await readLockOwner(host, dir);
  const pending = await new ChangeRecord(host, dir, { runId: '', owner: '' }).pending();
  const held = owner
    ? `in use by run ${owner.runId} (${owner.user}@${owner.host}, started ${owner.startedAt})`
    : 'free';
  if (pending.length && !owner)
    return {
      what,
      ok: false,
      detail: `${held}; ${pending.length} change(s) left by a run that did not finish: run \`netscale lab restore\``,
    };
  return { what, ok: true, detail: `${held} (${dir})` };
}

export async function checkLab(lab: Lab): Promise<HostCheck[]> {
  return Promise.all(Object.entries(lab.hosts).map(([name, host]) => checkHost(lab, name, host)));
}

/** One row per host: HOST ADDRESS ROLES VERDICT DETAILS. */
export function formatLabCheck(rows: HostCheck[]): string {
  const table = [
    ['HOST', 'ADDRESS', 'ROLES', 'VERDICT', 'DETAILS'],
    ...rows.map((r) => [
      r.host,
      r.address,
      r.roles.join(',') || '-',
      r.ok ? 'OK' : 'FAIL',
      r.items.map((i) => `${i.ok ? '' : 'FAILED '}${i.what}${i.detail ? `: ${i.detail}` : ''}`).join('; '),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table
    .map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    .join('\n');
}
