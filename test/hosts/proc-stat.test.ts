/** /proc/<pid>/stat as the kernel writes it, including a comm with spaces and parentheses. */
import { describe, expect, it } from 'vitest';
import { parseProcStat, readProcStat } from '../../lib/hosts/proc-stat.ts';

describe('proc stat', () => {
  it('reads the fields after a comm that holds spaces and parentheses', () => {
    const line =
      '4242 (tmux: server (1)) S 1 4240 4240 0 -1 4194624 1 0 0 0 5 3 0 0 20 0 1 0 123456 1000 100 18446744073709551615\n';
    expect(parseProcStat(line)).toEqual({
      comm: 'tmux: server (1)',
      state: 'S',
      ppid: 1,
      pgrp: 4240,
      startTicks: 123456,
    });
    expect(parseProcStat('')).toBeUndefined();
  });

  it('reads this process, and nothing for a pid that is not running', () => {
    const self = readProcStat(process.pid)!;
    expect(self).toMatchObject({ ppid: process.ppid, state: 'R' });
    expect(readProcStat('self')!.startTicks).toBe(self.startTicks);
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
  });
});
