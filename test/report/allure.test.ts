import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allureActive, environment, phase } from '../../lib/report/allure.ts';
import { scrub } from '../../lib/report/scrub.ts';
import { clearSecrets, registerSecret } from '../../lib/log/redact.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('allure glue', () => {
  it('phase runs as a step inside a test and returns the body value', async () => {
    expect(allureActive()).toBe(true);
    expect(await phase('bring up peers', async () => 42)).toBe(42);
    await expect(phase('failing phase', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('phase works outside a Vitest test (no runtime): the body runs, nothing crashes', async () => {
    const key = 'allureTestRuntime';
    const g = globalThis as Record<string, unknown>;
    const saved = g[key];
    delete g[key];
    try {
      expect(allureActive()).toBe(false);
      expect(await phase('outside', () => 'ran')).toBe('ran');
    } finally {
      g[key] = saved;
    }
  });

  it('environment merges into environment.properties and scrubs secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netscale-allure-'));
    dirs.push(dir);
    await writeFile(join(dir, 'environment.properties'), 'kept=yes\nlab=old\n');
    await environment(
      { lab: 'sim', dut_version: '2011.1 build 7', api: 'http://admin:hunter2@10.0.0.1:8082' },
      dir,
    );
    const text = await readFile(join(dir, 'environment.properties'), 'utf8');
    expect(text).toContain('kept=yes');
    expect(text).toContain('lab=sim');
    expect(text).not.toContain('lab=old');
    expect(text).toContain('dut_version=2011.1 build 7');
    expect(text).not.toContain('hunter2');
  });
});

describe('scrub', () => {
  it('hides secret values in JSON, key=value and URLs, keeps the rest', () => {
    const out = scrub(
      '{"ssh_password": "s3cr\\"et", "user": "root"} password=abc123 passphrase: "my key" token=t0k ' +
        'ssh://lab:pa55@host url http://host/x',
    );
    for (const secret of ['s3cr', 'abc123', 'my key', 't0k', 'pa55']) expect(out).not.toContain(secret);
    expect(out).toContain('"user": "root"');
    expect(out).toContain('ssh://lab:***@host');
    expect(out).toContain('http://host/x');
  });

  it('masks secrets registered with the project redactor wherever they appear', () => {
    registerSecret('Sw0rdfish!');
    try {
      expect(scrub('ssh lab@10.0.0.1 failed: bad key phrase Sw0rdfish! given')).toBe(
        'ssh lab@10.0.0.1 failed: bad key phrase *** given',
      );
    } finally {
      clearSecrets();
    }
  });
});
