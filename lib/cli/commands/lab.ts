import type { Command } from 'commander';
import { registerLabSim } from './lab-sim.ts';

export function register(program: Command): void {
  const lab = program.command('lab').description('Check, start and stop labs');
  registerLabSim(lab);
}
