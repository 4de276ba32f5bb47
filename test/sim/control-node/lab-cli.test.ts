import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_TAG_ENV } from '../../../lib/hosts/host.ts';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { freePort } from '../../support/free-port.ts';
import { REPO_ROOT } from '../../support/repo-root.ts';
import { TestAgent } from './xmpp-test-agent.ts';

const AGENTS = 100;
const netscale = (...args: string[]) =>
  execa('node', [path.join(REPO_ROOT, 'bin/netscale.js'), ...args], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 30_000,
  });

/** Pids whose environment carries this run tag. */
function pidsWithTag(tag: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`${RUN_TAG_ENV}=${tag}`))
        out.push(Number(d));
    } catch {
      // process gone or not ours to read
    }
  }
  return out;
}

describe('netscale lab up | introspect | lab down', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netscale-lab-'));
  const labFile = path.join(dir, 'sim.yaml');
  const agents: TestAgent[] = [];
  afterAll(async () => {
    for (const a of agents) a.close();
    await netscale('lab', 'down', '--lab', labFile);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`starts the embedded lab in the background, shows ${AGENTS} Established agents, and stops it without leftovers`, async () => {
    const [xmpp, introspect, configApi] = [await freePort(), await freePort(), await freePort()];
    const lab = readFileSync(path.join(REPO_ROOT, 'labs/sim.yaml'), 'utf8')
      .replaceAll('15269', String(xmpp))
      .replaceAll('18083', String(introspect))
      .replaceAll('18082', String(configApi))
      .replace('stateDir: .netscale/sim', `stateDir: ${dir}/state`);
    writeFileSync(labFile, lab);

    const up = await netscale('lab', 'up', '--lab', labFile, '--json');
    expect(up.exitCode, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout) as { pid: number; runTag: string; endpoints: { introspect: string } };
    expect(state.endpoints.introspect).toBe(`http://127.0.0.1:${introspect}`);
    expect(readFileSync(path.join(dir, 'state/control-node.pid'), 'utf8').trim()).toBe(String(state.pid));
    // Its own process group, tagged with the run tag.
    const stat = readFileSync(`/proc/${state.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(state.pid);
    expect(pidsWithTag(state.runTag)).toEqual([state.pid]);

    await new ConfigApiClient(`http://127.0.0.1:${configApi}`, { project: 'admin' }).createVirtualNetwork(
      'vn1',
    );
    for (let i = 1; i <= AGENTS; i++) {
      const a = await TestAgent.connect(xmpp, `127.0.40.${i}`, `agent0.${i}@vnsw.contrailsystems.com`);
      agents.push(a);
    }
    await Promise.all(agents.map((a) => a.established()));
    agents.forEach((a, i) => {
      a.subscribe('default-domain:admin:vn1:vn1', 1);
      a.publish('default-domain:admin:vn1:vn1', { prefix: `10.40.0.${i}/32`, nextHop: a.jid, label: 16 });
    });
    await expect
      .poll(() => agents.map((a) => a.routes('default-domain:admin:vn1:vn1').size), {
        timeout: 10_000,
        interval: 20,
      })
      .toEqual(agents.map(() => AGENTS));

    const status = await netscale('lab', 'status', '--lab', labFile);
    expect(status.stdout).toContain(`(${AGENTS} agents Established)`);
    const json = await netscale('introspect', `http://127.0.0.1:${introspect}`, '--json');
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      neighbors: { xmpp: { total: AGENTS, up: AGENTS }, bgp: { total: 0, up: 0 } },
      tables: [
        {
          name: 'default-domain:admin:vn1:vn1.inet.0',
          prefixes: AGENTS,
          paths: AGENTS,
          primaryPaths: AGENTS,
          secondaryPaths: 0,
          infeasiblePaths: 0,
          pendingUpdates: 0,
        },
        {
          name: 'inet.0',
          prefixes: 0,
          paths: 0,
          primaryPaths: 0,
          secondaryPaths: 0,
          infeasiblePaths: 0,
          pendingUpdates: 0,
        },
      ],
    });
    const table = await netscale('introspect', `http://127.0.0.1:${introspect}`);
    expect(table.stdout).toContain(`XMPP neighbors: ${AGENTS}/${AGENTS} Established`);

    const down = await netscale('lab', 'down', '--lab', labFile);
    expect(down.stdout).toBe(`embedded lab stopped (pid ${state.pid})`);
    expect(existsSync(`/proc/${state.pid}`)).toBe(false);
    expect(pidsWithTag(state.runTag)).toEqual([]);
    expect(existsSync(path.join(dir, 'state/control-node.pid'))).toBe(false);
    await expect.poll(() => agents.filter((a) => !a.closed).length, { timeout: 3000, interval: 20 }).toBe(0);
    const after = await netscale('lab', 'status', '--lab', labFile);
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toBe('embedded lab is not running');
  });

  it('names the file and key of a bad lab file', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(path.join(REPO_ROOT, 'labs/sim.yaml'), 'utf8').replace(
        'xmppPort: 15269\n  introspectPort',
        'xmppPort: lots\n  introspectPort',
      ),
    );
    const r = await netscale('lab', 'up', '--lab', bad);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad}: sim\\.xmppPort: .*number`));
  });
});
