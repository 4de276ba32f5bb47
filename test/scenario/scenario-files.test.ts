import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioWithThresholds } from '../../lib/scenario/loaded-scenario.ts';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('scenario files shipped in scenarios/', () => {
  it('has one per scenario kind', () => {
    expect(files.sort()).toEqual([
      'agent-scale.yaml',
      'cpu-runs.yaml',
      'fan-out.yaml',
      'flap.yaml',
      'route-scale.yaml',
    ]);
  });

  it.for(files)('%s loads, and its thresholds layer defaults, file and env', (file) => {
    const loaded = loadScenarioWithThresholds(`${dir}${file}`, { NETSCALE_THRESHOLD_PEERS_UP_TIME: '< 45s' });
    expect(loaded.scenario.name).toBe(file.replace('.yaml', ''));
    expect(loaded.thresholds.get('peers_up_time')).toMatchObject({ op: '<', value: 45 });
    for (const [metric, expr] of Object.entries(loaded.scenario.thresholds)) {
      if (metric !== 'peers_up_time')
        expect(loaded.thresholds.get(metric)?.source).toContain(`thresholds.${metric}`);
      expect(expr).toBeTruthy();
    }
  });

  it('names the file and key of a bad threshold expression', () => {
    expect(() =>
      loadScenarioWithThresholds(`${dir}route-scale.yaml`, {
        NETSCALE_SCENARIO_OVERRIDES: '{thresholds: {prefix_add_time: "soon"}}',
      }),
    ).toThrow(/route-scale\.yaml, key thresholds\.prefix_add_time/);
  });
});
