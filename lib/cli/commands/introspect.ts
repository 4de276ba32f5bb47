import type { Command } from 'commander';

// Placeholder until this subcommand is implemented.
export function register(_program: Command): void {}
