import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { editEnvFile } from '../../lib/lab/env-file.ts';

const controlParam = readFileSync(new URL('./data/control_param', import.meta.url), 'utf8');

describe('editEnvFile', () => {
  it('changes a key in place and appends a new one, keeping every other line as it was', () => {
    const edited = editEnvFile(controlParam, {
      XMPP_KEEPALIVE_SECONDS: '300000',
      CONCURRENCY_CHECK_DISABLE: '1',
    });
    const before = controlParam.split('\n');
    const after = edited.split('\n');
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(['XMPP_KEEPALIVE_SECONDS=300000', 'CONCURRENCY_CHECK_DISABLE=1', '']);
    expect(after.indexOf('XMPP_KEEPALIVE_SECONDS=300000')).toBe(before.indexOf('XMPP_KEEPALIVE_SECONDS=30'));
    expect(edited.endsWith('CONCURRENCY_CHECK_DISABLE=1\n')).toBe(true);
  });

  it('leaves commented-out keys alone and keeps an export prefix', () => {
    const edited = editEnvFile(controlParam, { LOG_LEVEL: 'SYS_EMERG', NETSCALE_UNRELATED: 'x' });
    expect(edited).toContain('#LOG_LEVEL=SYS_DEBUG\n');
    expect(edited).toContain('export NETSCALE_UNRELATED=x\n');
    expect(edited.endsWith('LOG_LEVEL=SYS_EMERG\n')).toBe(true);
  });

  it('quotes values the shell would split or expand', () => {
    expect(editEnvFile('', { A: 'two words', B: "it's $HOME" })).toBe(`A='two words'\nB='it'\\''s $HOME'\n`);
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    expect(editEnvFile('A=1\r\nB=2', { B: '3' })).toBe('A=1\r\nB=3');
    expect(editEnvFile('A=1\r\n', { C: '4' })).toBe('A=1\r\nC=4\r\n');
  });

  it('returns the file unchanged for an empty set', () => {
    expect(editEnvFile(controlParam, {})).toBe(controlParam);
  });
});
