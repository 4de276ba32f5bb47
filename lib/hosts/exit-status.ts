import { constants } from 'node:os';
import type { ExitStatus } from './host.ts';

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * Guards and shells report a command killed by signal N as exit code 128+N;
 * turn that back into the signal so local and SSH hosts report alike.
 */
export function exitStatusFromShell(code: number | null, signal: string | null): ExitStatus {
  if (code !== null && code > 128) {
    const name = SIGNAL_NAMES.get(code - 128);
    if (name) return { code: null, signal: name };
  }
  return { code, signal: signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null };
}
