/**
 * bgpd's record of its watched prefixes: the lines FRR 8.4 printed here with `log timestamp precision 6`
 * and update debugging on for the watched prefixes (captured from a run), and what is not a watched prefix taken in or out.
 */
import { describe, expect, it } from 'vitest';
import { monotonicMs, realtimeOffset } from '../../lib/clock.ts';
import { frrConfig } from '../../lib/daemons/frr-config.ts';
import { FrrRouteRecord, parseFrrRouteLine } from '../../lib/daemons/frr-route-log.ts';

const ANNOUNCE =
  '2026/12/05 14:54:28.197453 BGP: [YCKEM-GB33T] 198.18.1.1(Unknown) rcvd 10.0.0.0/24 IPv4 unicast';
const WITHDRAW =
  '2026/12/05 14:54:28.316455 BGP: [PAPP6-VDAWM] 198.18.1.1(Unknown) rcvd UPDATE about 10.0.0.0/24 IPv4 unicast -- withdrawn';

describe('bgpd route log', () => {
  it('reads a prefix taken in and one withdrawn, to the microsecond, as UTC', () => {
    expect(parseFrrRouteLine(ANNOUNCE)).toEqual({
      wallMs: Date.UTC(2026, 11, 5, 14, 54, 28) + 197.453,
      peer: '198.18.1.1',
      prefix: '10.0.0.0/24',
      kind: 'announce',
    });
    const w = parseFrrRouteLine(WITHDRAW)!;
    expect(w.kind).toBe('withdraw');
    expect(w.wallMs - parseFrrRouteLine(ANNOUNCE)!.wallMs).toBeCloseTo(119.002, 3);
  });

  it('ignores every other line bgpd prints', () => {
    for (const line of [
      '2026/12/05 14:54:28.197427 BGP: [T5AAP-5GA85] 198.18.1.1(Unknown) rcvd UPDATE w/ attr: nexthop 198.18.1.1, origin i, path 65001',
      '2026/12/05 14:54:28.197436 BGP: [PCFFM-WMARW] 198.18.1.1(Unknown) rcvd UPDATE wlen 0 attrlen 20 alen 4000',
      '2026/12/05 14:54:28.197460 BGP: [WVAM7-7ZYKQ][EC 33554499] sendmsg_nexthop: zclient_send_message() failed',
      '2026/12/05 14:54:26.215416 BGP: [M59KS-A3ZXZ] bgp_update_receive: rcvd End-of-RIB for IPv4 Unicast from 198.18.0.2 in vrf default',
      '2026/12/05 14:54:28.197453 BGP: [XXXXX-XXXXX] 198.18.1.1(Unknown) rcvd UPDATE about 10.0.0.0/24 IPv4 unicast -- DENIED due to: as-path contains our own AS;',
      // Without `log timestamp precision 6` the stamp has whole seconds only: not a stamp to time by.
      '2026/12/05 14:54:28 BGP: [YCKEM-GB33T] 198.18.1.1(Unknown) rcvd 10.0.0.0/24 IPv4 unicast',
    ])
      expect(parseFrrRouteLine(line), line).toBeUndefined();
  });

  it('keeps the watched prefixes only, on the monotonic clock', () => {
    const record = new FrrRouteRecord(['10.0.0.0/24']);
    const before = monotonicMs();
    const now = new Date();
    const stamp = (d: Date, prefix: string) =>
      `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')} ` +
      `${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')} BGP: [YCKEM-GB33T] 198.18.1.1(Unknown) rcvd ${prefix} IPv4 unicast`;
    record.line(stamp(now, '10.0.1.0/24'));
    record.line(stamp(now, '10.0.0.0/24'));
    const after = monotonicMs();
    expect(record.events()).toHaveLength(1);
    const e = record.events()[0]!;
    expect(e).toMatchObject({ prefix: '10.0.0.0/24', kind: 'announce' });
    // The line was written with this process's wall clock in whole ms: it lands on the monotonic clock
    // within that millisecond of when it was written.
    expect(e.t).toBeGreaterThanOrEqual(before - 1 - record.resolutionMs);
    expect(e.t).toBeLessThanOrEqual(after + record.resolutionMs);
  });

  it('places the wall clock on the monotonic one to a few microseconds', () => {
    const { offsetMs, errorMs } = realtimeOffset();
    expect(errorMs).toBeLessThan(1);
    expect(Math.abs(Date.now() - monotonicMs() - offsetMs)).toBeLessThanOrEqual(1 + errorMs);
  });

  it('the config turns update debugging on for the watched prefixes only', () => {
    const conf = frrConfig({
      localAs: 64512,
      routerId: '198.18.0.1',
      holdTimeSeconds: 90,
      neighbors: [{ address: '198.18.1.1', as: 65001 }],
      watchPrefixes: ['10.0.39.15/24', '10.0.78.31/24'],
    });
    const lines = conf.split('\n');
    expect(lines).toContain('log timestamp precision 6');
    expect(lines).toContain('debug bgp updates prefix 10.0.39.15/24');
    expect(lines).toContain('debug bgp updates prefix 10.0.78.31/24');
    // Every prefix's debugging: 100,000 lines more at 10 x 10,000.
    expect(lines.filter((l) => /^debug bgp updates( in| out)?$/.test(l))).toEqual([]);
    expect(
      frrConfig({ localAs: 64512, routerId: '198.18.0.1', holdTimeSeconds: 90, neighbors: [] }),
    ).not.toContain('debug bgp');
  });
});
