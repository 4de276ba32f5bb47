/**
 * GoBGP's record from its order of work: a watched prefix was taken in after the send time of the latest
 * probe gobgpd took in before it (before any, after the record was made) and before its own event arrived.
 */
import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../lib/clock.ts';
import { decodeIpAddressPrefix, type ReceivedPath } from '../../lib/daemons/gobgp-api.ts';
import { GobgpRouteRecord, PROBE_PREFIX } from '../../lib/daemons/gobgp-route-record.ts';

const PEERS = ['198.18.1.1', '198.18.1.2'];
// Send times are the later of the generator's and the moment it was asked for: the test's lie ahead.
const T = monotonicMs() + 3_600_000;
const probe = (neighbor: string): ReceivedPath[] => [{ prefix: PROBE_PREFIX, withdraw: true, neighbor }];
const update = (neighbor: string, prefixes: string[], withdraw = false): ReceivedPath[] =>
  prefixes.map((prefix) => ({ prefix, withdraw, neighbor }));

/** A record probing from PEERS through a send that answers at once with T + the next of `times`. */
async function probing(times: number[]) {
  const record = new GobgpRouteRecord(['10.0.9.0/24', '10.0.19.0/24']);
  const sent: string[] = [];
  record.probeFrom(PEERS, (peer, prefix) => {
    sent.push(`${peer} ${prefix}`);
    return Promise.resolve(T + (times.shift() ?? 0));
  });
  // Each loop's first send has been answered once the microtasks have run.
  await new Promise((r) => setImmediate(r));
  return { record, sent };
}

describe('GoBGP route record', () => {
  it('bounds a watched prefix by the latest probe taken in before it and its own arrival', async () => {
    const { record, sent } = await probing([1000, 1010]);
    expect(sent).toEqual([`198.18.1.1 ${PROBE_PREFIX}`, `198.18.1.2 ${PROBE_PREFIX}`]);
    record.onUpdate(update('198.18.1.1', ['10.0.8.0/24']), T + 900);
    record.onUpdate(probe('198.18.1.2'), T + 1400); // sent at 1010
    record.onUpdate(probe('198.18.1.1'), T + 1401); // sent at 1000: not later than what is known
    record.onUpdate(update('198.18.1.1', ['10.0.1.0/24', '10.0.9.0/24']), T + 1500);
    expect(record.events()).toEqual([
      { prefix: '10.0.9.0/24', kind: 'announce', t: T + 1255, resolutionMs: 245 },
    ]);
    record.stopProbing();
  });

  it('records withdrawals as such; before the first probe, from when the record was made', async () => {
    const made = monotonicMs();
    const { record } = await probing([50]);
    record.onUpdate(update('198.18.1.1', ['10.0.9.0/24']), T + 40);
    record.onUpdate(probe('198.18.1.1'), T + 60);
    record.onUpdate(update('198.18.1.2', ['10.0.19.0/24'], true), T + 100);
    const [first, second] = record.events();
    expect(first!.t - first!.resolutionMs!).toBeGreaterThanOrEqual(made);
    expect(first!.t - first!.resolutionMs!).toBeLessThanOrEqual(monotonicMs());
    expect(first!.t + first!.resolutionMs!).toBeCloseTo(T + 40, 6);
    expect(second).toEqual({ prefix: '10.0.19.0/24', kind: 'withdraw', t: T + 75, resolutionMs: 25 });
    record.stopProbing();
  });

  it('a probe it did not send gives no bound', async () => {
    const { record } = await probing([10, 20]);
    record.onUpdate(probe('198.18.1.9'), T + 30); // another peer's: no send time known
    record.onUpdate(update('198.18.1.1', ['10.0.9.0/24']), T + 40);
    expect(record.events()[0]!.t - record.events()[0]!.resolutionMs!).toBeLessThan(T);
    record.stopProbing();
  });

  it('decodes IPAddressPrefix from its protobuf bytes', () => {
    // prefix_len = 24 (field 1, varint), prefix = "10.0.9.0" (field 2, bytes).
    const bytes = Buffer.concat([Buffer.from([0x08, 24, 0x12, 8]), Buffer.from('10.0.9.0')]);
    expect(decodeIpAddressPrefix(bytes)).toBe('10.0.9.0/24');
    expect(() => decodeIpAddressPrefix(Buffer.from([0x12, 20, 0x31]))).toThrow(/field 2 runs past the end/);
  });
});
