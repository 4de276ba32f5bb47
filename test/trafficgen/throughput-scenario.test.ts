import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../lib/scenario/load.ts';
import { loadThroughputScenario, parseThroughputScenario } from '../../lib/scenario/load-throughput.ts';
import { ThresholdError } from '../../lib/thresholds/threshold.ts';

const SHIPPED = ['rfc2544-throughput', 'back-to-back', 'continuous'];

const minimal = (extra: string) => `name: t\nkind: throughput\nframeSizes: [64]\n${extra}`;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('throughput scenario files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'throughput-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it.each(SHIPPED)('loads scenarios/throughput/%s.yaml', (name) => {
    const loaded = loadThroughputScenario(`scenarios/throughput/${name}.yaml`, {});
    expect(loaded.scenario.name).toBe(name);
    expect(loaded.thresholds.get('frame_loss')?.expr).toBe('<= 0.001%');
  });

  it('reads the RFC 2544 throughput settings the suite ran with', () => {
    const { scenario } = loadThroughputScenario('scenarios/throughput/rfc2544-throughput.yaml', {});
    expect(scenario).toMatchObject({
      kind: 'throughput',
      frameSizes: [64, 128, 256, 512, 1024, 1280, 1518],
      traffic: { bidir: true, frameRatePct: 100 },
      durationSeconds: 60,
      latency: true,
      search: { kind: 'multi-goal', relativeWidth: 0.005 },
      embeddedLab: { dut: 'vswitch-10g' },
    });
  });

  it('names the file and the key path of an unknown key', async () => {
    const file = await write('typo.yaml', minimal('search: { kind: multi-goal, relativWidth: 0.01 }\n'));
    const err = errorOf(() => loadThroughputScenario(file, {}));
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.message).toBe(`${file}: search.relativWidth: unknown key`);
  });

  it('names the file, the key path and the value of a bad frame size', async () => {
    const file = await write('small.yaml', 'name: t\nkind: back-to-back\nframeSizes: [64, 32]\n');
    const err = errorOf(() => loadThroughputScenario(file, {}));
    expect(err.message).toMatch(new RegExp(`^${file}: frameSizes\\[1\\]: .*>=64.* \\(found 32\\)$`));
  });

  it('lists the kinds when the kind is unknown, showing the kind found', () => {
    const err = errorOf(() => parseThroughputScenario('name: t\nkind: imix\nframeSizes: [64]\n', 'x.yaml'));
    expect(err.message).toMatch(
      /^x\.yaml: kind: .*'throughput' \| 'back-to-back' \| 'continuous'.* \(found "imix"\)$/,
    );
  });

  it('rejects a latency threshold in a scenario that does not measure latency', () => {
    const err = errorOf(() =>
      parseThroughputScenario(minimal("thresholds: { latency_avg: '< 1ms' }\n"), 'x.yaml'),
    );
    expect(err.message).toMatch(
      /^x\.yaml: thresholds\.latency_avg: a throughput scenario without latency: true does not measure latency_avg/,
    );
  });

  it('names the file and key of a threshold on a metric that is not in the catalogue', async () => {
    const file = await write('metric.yaml', minimal("thresholds: { frame_lost: '<= 1%' }\n"));
    const err = errorOf(() => loadThroughputScenario(file, {}));
    expect(err).toBeInstanceOf(ThresholdError);
    expect(err.message).toContain(`scenario file ${file}, key thresholds.frame_lost`);
    expect(err.message).toContain('frame_loss');
  });

  it('lets NETSCALE_THRESHOLD_FRAME_LOSS override the scenario file', () => {
    const file = 'scenarios/throughput/continuous.yaml';
    const loaded = loadThroughputScenario(file, { NETSCALE_THRESHOLD_FRAME_LOSS: '<= 0.5%' });
    const t = loaded.thresholds.get('frame_loss');
    expect(t).toMatchObject({ op: '<=', value: 0.5, unit: '%', source: 'env NETSCALE_THRESHOLD_FRAME_LOSS' });
    // The file's other thresholds stay.
    expect(loaded.thresholds.get('throughput_rx_percent')?.source).toBe(
      `scenario file ${file}, key thresholds.throughput_rx_percent`,
    );
  });

  it('reads the same file name from NETSCALE_SCENARIO_DIR', async () => {
    const file = await write(
      'continuous.yaml',
      'name: elsewhere\nkind: continuous\nframeSizes: [1518]\ndurationSeconds: 5\n',
    );
    const loaded = loadThroughputScenario('scenarios/throughput/continuous.yaml', {
      NETSCALE_SCENARIO_DIR: dir,
    });
    expect(loaded.file).toBe(file);
    expect(loaded.scenario).toMatchObject({ name: 'elsewhere', frameSizes: [1518] });
  });

  it('names the directory when NETSCALE_SCENARIO_DIR has no such file', () => {
    const err = errorOf(() =>
      loadThroughputScenario('scenarios/throughput/back-to-back.yaml', { NETSCALE_SCENARIO_DIR: dir }),
    );
    expect(err.message).toBe(
      `${join(dir, 'back-to-back.yaml')}: cannot read throughput scenario file (scenarios/throughput/back-to-back.yaml under NETSCALE_SCENARIO_DIR=${dir}) (ENOENT)`,
    );
  });
});
