/**
 * BIRD's record of its watched prefixes: lines BIRD 2.0.12 printed here with the import filter and the
 * watchdog of bird-config.ts (captured from a run), and how a stamp becomes an interval: from the cycle's
 * stamp to the end of that cycle, which the watchdog reports when it ran past its limit.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realtimeOffset } from '../../lib/clock.ts';
import { birdDutConfig } from '../../lib/daemons/bird-config.ts';
import {
  BIRD_WATCHDOG_WARNING_MS,
  BirdRouteRecord,
  parseBirdLogLine,
} from '../../lib/daemons/bird-route-log.ts';

const WATCH = '2026-12-05 20:17:42.240398 <INFO> netscale-watch 10.0.9.0/24';
const CYCLE = '2026-12-05 20:17:42.320701 <WARN> I/O loop cycle took 80.323 ms for 15 events';
const at = (s: string) => Date.UTC(2026, 11, 5, 20, 17, 42) + Number(s);

const dir = mkdtempSync(join(tmpdir(), 'netscale-bird-route-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BIRD route log', () => {
  it('reads a watched prefix and a reported cycle, to the microsecond, as UTC', () => {
    expect(parseBirdLogLine(WATCH)).toEqual({ kind: 'watch', wallMs: at('240.398'), prefix: '10.0.9.0/24' });
    const c = parseBirdLogLine(CYCLE)!;
    expect(c).toEqual({ kind: 'cycle', wallMs: at('320.701'), tookMs: 80.323 });
  });

  it('ignores every other line BIRD prints', () => {
    for (const line of [
      '2026-12-05 20:17:38.724938 <INFO> Started',
      '2026-12-05 20:17:41.001000 <INFO> n1: Connected to table master4',
      // The default time format has milliseconds only.
      '2026-12-05 20:17:42.240 <INFO> netscale-watch 10.0.9.0/24',
      '2026-12-05 20:17:42.240398 <INFO> netscale-watch',
    ])
      expect(parseBirdLogLine(line), line).toBeUndefined();
  });

  const wall = (ms: number) => {
    const d = new Date(ms);
    return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}.${String(Math.round((ms % 1000) * 1000)).padStart(6, '0')}`;
  };

  it('a stamp in a cycle the watchdog reported lasts until that cycle ended', () => {
    const record = new BirdRouteRecord(['10.0.9.0/24', '10.0.19.0/24']);
    const { offsetMs } = realtimeOffset();
    const t0 = Math.floor(Date.now());
    // The watchdog's cycle starts a few microseconds after the stamp its routes carry (seen in the capture).
    record.line(`${wall(t0)} <INFO> netscale-watch 10.0.9.0/24`);
    record.line(`${wall(t0)} <INFO> netscale-watch 10.0.1.0/24`);
    record.line(`${wall(t0 + 80.343)} <WARN> I/O loop cycle took 80.323 ms for 15 events`);
    // A later cycle within the limit: not reported.
    record.line(`${wall(t0 + 100)} <INFO> netscale-watch 10.0.19.0/24`);
    const [first, second, ...rest] = record.events();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ prefix: '10.0.9.0/24', kind: 'announce' });
    expect(first!.t - first!.resolutionMs! + offsetMs).toBeCloseTo(t0, 1);
    expect(first!.t + first!.resolutionMs! + offsetMs).toBeCloseTo(t0 + 80.343, 1);
    expect(second!.prefix).toBe('10.0.19.0/24');
    expect(second!.t + offsetMs).toBeCloseTo(t0 + 100 + BIRD_WATCHDOG_WARNING_MS / 2, 1);
    expect(second!.resolutionMs).toBeCloseTo(record.resolutionMs, 6);
  });

  it('a route taken in at the loop top, inside a reported cycle, lasts until its end too', () => {
    const record = new BirdRouteRecord(['10.0.9.0/24']);
    const t0 = Math.floor(Date.now());
    record.line(`${wall(t0 + 30)} <INFO> netscale-watch 10.0.9.0/24`);
    record.line(`${wall(t0 + 50)} <WARN> I/O loop cycle took 50.000 ms for 3 events`);
    const [e] = record.events();
    expect(e!.resolutionMs).toBeCloseTo(10 + (record.resolutionMs - BIRD_WATCHDOG_WARNING_MS / 2), 3);
  });

  it('the config logs the watched prefixes as they come in, and BIRD accepts it', async () => {
    const conf = birdDutConfig({
      localAs: 64512,
      routerId: '198.18.0.1',
      address: '198.18.0.1',
      port: 179,
      holdTimeSeconds: 90,
      neighbors: [{ address: '198.18.1.1', as: 65001 }],
      multihop: false,
      watchPrefixes: ['10.0.9.0/24', '10.0.19.0/24'],
    });
    expect(conf).toContain('if net ~ [ 10.0.9.0/24, 10.0.19.0/24 ] then print "netscale-watch ", net;');
    expect(conf).toContain('import filter watched_in;');
    const file = join(dir, 'bird.conf');
    writeFileSync(file, conf);
    const parsed = await execa('bird', ['-p', '-c', file], { reject: false });
    expect(parsed.stderr).toBe('');
    expect(parsed.exitCode).toBe(0);
    const plain = birdDutConfig({
      localAs: 64512,
      routerId: '198.18.0.1',
      address: '198.18.0.1',
      port: 179,
      holdTimeSeconds: 90,
      neighbors: [],
      multihop: false,
    });
    expect(plain).not.toContain('watchdog');
    expect(plain).toContain('import all;');
  });
});
