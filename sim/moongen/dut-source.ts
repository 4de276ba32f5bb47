/**
 * Which DUT model and time scale an emulated MoonGen run uses: env first
 * (MOONGEN_SIM_DUT = preset name or JSON file, MOONGEN_SIM_TIME_SCALE), then
 * moongen-sim-dut.json in the MoonGen base dir (so a lab reached over SSH,
 * where env does not pass, can still pick a lossy DUT), then the default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DUT_PRESETS, type DutModelSpec } from './dut-model.ts';

export const DUT_FILE = 'moongen-sim-dut.json';

export interface SimSettings {
  dut: DutModelSpec;
  /** Simulated seconds are multiplied by this (0.001: a 60 s trial takes 60 ms). */
  timeScale: number;
  source: string;
}

/** Contents of moongen-sim-dut.json: a preset name or a full model, plus the time scale. */
export interface DutFile {
  preset?: string;
  model?: DutModelSpec;
  timeScale?: number;
}

function preset(name: string, where: string): DutModelSpec {
  const p = DUT_PRESETS[name];
  if (!p)
    throw new Error(
      `${where}: unknown DUT preset "${name}", expected one of ${Object.keys(DUT_PRESETS).join(', ')}`,
    );
  return p;
}

function fromFile(path: string): DutFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DutFile;
  } catch (err) {
    throw new Error(
      `${path}: expected a JSON DUT file ({"preset": name} or {"model": {...}}): ${(err as Error).message}`,
    );
  }
}

export function simSettings(cwd: string, env: NodeJS.ProcessEnv): SimSettings {
  const filePath = `${cwd}/${DUT_FILE}`;
  const file: DutFile = existsSync(filePath) ? fromFile(filePath) : {};
  let dut: DutModelSpec;
  let source: string;
  const envDut = env.MOONGEN_SIM_DUT;
  if (envDut) {
    const f = envDut.endsWith('.json') ? fromFile(envDut) : null;
    dut = f ? (f.model ?? preset(f.preset ?? '', envDut)) : preset(envDut, 'MOONGEN_SIM_DUT');
    source = `MOONGEN_SIM_DUT=${envDut}`;
  } else if (file.model || file.preset) {
    dut = file.model ?? preset(file.preset!, filePath);
    source = filePath;
  } else {
    dut = preset('vswitch-10g', 'default');
    source = 'default preset vswitch-10g';
  }
  const scaleText = env.MOONGEN_SIM_TIME_SCALE;
  const timeScale = scaleText !== undefined ? Number(scaleText) : (file.timeScale ?? 1);
  if (!(timeScale > 0)) {
    throw new Error(
      `MOONGEN_SIM_TIME_SCALE / ${DUT_FILE} timeScale: expected a number > 0, found ${scaleText ?? file.timeScale}`,
    );
  }
  return { dut, timeScale, source };
}
