import type { Command } from 'commander';

// Placeholder until `netscale lab up|down|status` (embedded lab) is implemented.
export function registerLabSim(_lab: Command): void {}
