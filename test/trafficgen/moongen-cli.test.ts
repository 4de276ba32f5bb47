import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';

let dir: string;
const cli = (...args: string[]) =>
  execa('node', ['bin/netscale.js', 'moongen', 'parse', ...args], { reject: false });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moongen-cli-'));
  await writeFile(
    join(dir, 'ok.log'),
    '[INFO]  noise\n' +
      '[REPORT]Device 0->1: Tx frames: 1000 Rx Frames: 990 frame loss: 10, 1.00000000% Rx Mpps: 4.95\n' +
      '[REPORT]      total: Tx frames: 1000 Rx Frames: 990 frame loss: 10, 1.00000000% Rx Mpps: 4.95\n',
  );
  await writeFile(
    join(dir, 'aborted.log'),
    '[ERROR] Could not even pass with rate <= the rate granularity, 0.100000\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('netscale moongen parse', () => {
  it('prints the documented JSON with the frame size and link speed given', async () => {
    const r = await cli(join(dir, 'ok.log'), '--frame-size', '64', '--link', '25G', '--json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      frameSize: 64,
      streams: 1,
      txFrames: 1000,
      rxFrames: 990,
      lossFrames: 10,
      lossPct: 1,
      txMpps: null,
      rxMpps: 4.95,
      rxFps: 4950000,
      rxMbps: 4.95 * 84 * 8,
      rxPctLineRate: (100 * 4.95e6) / (25e9 / (84 * 8)),
      directions: [
        { from: 0, to: 1, txFrames: 1000, rxFrames: 990, lossFrames: 10, lossPct: 1, rxMpps: 4.95 },
      ],
    });
  });

  it('exits non-zero with a clear message for a log without a REPORT total or without a frame size', async () => {
    const aborted = await cli(join(dir, 'aborted.log'), '--json');
    expect(aborted.exitCode).not.toBe(0);
    expect(aborted.stdout).toBe('');
    expect(aborted.stderr).toMatch(/aborted\.log: no "\[REPORT\]\s+total.*Could not even pass/);
    const noSize = await cli(join(dir, 'ok.log'));
    expect(noSize.exitCode).not.toBe(0);
    expect(noSize.stderr).toMatch(/ok\.log: frame size unknown/);
    const badLink = await cli(join(dir, 'ok.log'), '--frame-size', '64', '--link', '12G');
    expect(badLink.stderr).toMatch(/link speed: expected one of 1G, 10G, 25G, 40G, 100G, found "12G"/);
  });
});
