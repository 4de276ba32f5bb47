import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../lib/scenario/load.ts';

const minimal = 'name: route-scale\niterations:\n  - { instances: 2, agents: 5, routes: 20 }\n';

describe('scenario files', () => {
  it('fills defaults for everything but the iterations', () => {
    const s = parseScenario(minimal, 'x.yaml');
    expect(s.parallel).toBe(false);
    expect(s.operation).toEqual({ kind: 'add' });
    expect(s.vns).toMatchObject({ basename: 'c', nblocks: 1, startBlock: 1, deleteAfterRun: true });
    expect(s.bgpStress).toMatchObject({ nevents: -1, pause: true, timeouts: { peersUpSeconds: 120 } });
    expect(s.repeat).toEqual({ runs: 1, restartBetween: true, reboot: false });
  });

  it('names the file and key path of each problem, with what was found', () => {
    const bad = `${minimal}  - { instances: 0, agents: 5, routes: 20 }\nparallel: sometimes\noperation: { kind: add_and_flap, flaps: -1 }\nservers: { start: 10.0.0.300, count: 2 }\nbogus: 1\n`;
    let message = '';
    try {
      parseScenario(bad, 'scenarios/bad.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(/^scenarios\/bad\.yaml: iterations\[1\]\.instances: .*>=1.*\(found 0\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^scenarios\/bad\.yaml: parallel: .*boolean.*\(found "sometimes"\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^scenarios\/bad\.yaml: operation\.flaps: /));
    expect(lines).toContainEqual(expect.stringMatching(/^scenarios\/bad\.yaml: \(top level\): .*bogus/));
    expect(message).toMatch(/scenarios\/bad\.yaml: servers/);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseScenario('name: [unclosed\n', 'scenarios/broken.yaml')).toThrow(
      /^scenarios\/broken\.yaml: /,
    );
  });

  it('reports a missing file by path', () => {
    expect(() => loadScenario('/nonexistent/route-scale.yaml')).toThrow(
      '/nonexistent/route-scale.yaml: cannot read scenario file (ENOENT)',
    );
  });

  it('applies env overrides and names the variable when one is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ns-scn-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, minimal);
    const s = loadScenario(file, {
      NETSCALE_ITERATIONS: '1x2x3, 4x5x6',
      NETSCALE_PARALLEL: 'yes',
      NETSCALE_SERVERS: '10.84.55.1+3',
      NETSCALE_SCENARIO_OVERRIDES: '{bgpStress: {extraFlags: "--log-level=SYS_EMERG"}, vns: {nblocks: 2}}',
    });
    expect(s.iterations).toEqual([
      { instances: 1, agents: 2, routes: 3 },
      { instances: 4, agents: 5, routes: 6 },
    ]);
    expect(s.parallel).toBe(true);
    expect(s.servers).toEqual({ start: '10.84.55.1', count: 3 });
    expect(s.bgpStress.extraFlags).toBe('--log-level=SYS_EMERG');
    expect(s.bgpStress.nevents).toBe(-1);
    expect(s.vns.nblocks).toBe(2);

    expect(() => loadScenario(file, { NETSCALE_ITERATIONS: '1x2' })).toThrow(
      'NETSCALE_ITERATIONS: item 1 "1x2" is not instances x agents x routes (e.g. 2x10x100)',
    );
    expect(() => loadScenario(file, { NETSCALE_ITERATIONS: '0x2x3' })).toThrow(
      /^NETSCALE_ITERATIONS: iterations\[0\]\.instances/,
    );
    expect(() => loadScenario(file, { NETSCALE_PARALLEL: 'maybe' })).toThrow(
      'NETSCALE_PARALLEL: expected true or false',
    );
    expect(() => loadScenario(file, { NETSCALE_SCENARIO_OVERRIDES: '{vns: {nblocks: 0}}' })).toThrow(
      /^NETSCALE_SCENARIO_OVERRIDES: vns\.nblocks/,
    );
  });
});
