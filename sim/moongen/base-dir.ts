/**
 * Lays out an emulated MoonGen base dir the way a real checkout looks to the
 * driver: build/MoonGen (-> sim/bin/MoonGen), examples/opnfv-vsperf.lua, and
 * the newer layout's MoonGen/build/MoonGen + trafficgen.lua; plus the DUT file
 * that picks the model and time scale.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DUT_FILE, type DutFile } from './dut-source.ts';

export const MOONGEN_SIM_LAUNCHER = fileURLToPath(new URL('../bin/MoonGen', import.meta.url));

const SCRIPT_STUB = '-- netscale MoonGen emulator: this script is emulated by sim/moongen/main.ts\n';

export async function prepareMoonGenSimDir(baseDir: string, dut: DutFile = {}): Promise<string> {
  await mkdir(join(baseDir, 'build'), { recursive: true });
  await mkdir(join(baseDir, 'examples'), { recursive: true });
  await mkdir(join(baseDir, 'MoonGen', 'build'), { recursive: true });
  for (const link of [join(baseDir, 'build', 'MoonGen'), join(baseDir, 'MoonGen', 'build', 'MoonGen')]) {
    await rm(link, { force: true });
    await symlink(MOONGEN_SIM_LAUNCHER, link);
  }
  await writeFile(join(baseDir, 'examples', 'opnfv-vsperf.lua'), SCRIPT_STUB);
  await writeFile(join(baseDir, 'trafficgen.lua'), SCRIPT_STUB);
  await setMoonGenSimDut(baseDir, dut);
  return baseDir;
}

/** Switches the DUT model (and time scale) later runs in this base dir use. */
export async function setMoonGenSimDut(baseDir: string, dut: DutFile): Promise<void> {
  await writeFile(join(baseDir, DUT_FILE), JSON.stringify(dut, null, 2) + '\n');
}
