import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/config-error.ts';
import { parseSpec } from '../../lib/bgpload/spec-file.ts';
import {
  bgpLoadSpecSchema,
  bgpMonitorSpecSchema,
  generatorOptions,
  monitorOptions,
} from '../../lib/bgpload/spec.ts';

describe('bgp-load and bgp-monitor specs', () => {
  it('fills defaults and derives one address, AS and router id per peer', () => {
    const spec = parseSpec(
      bgpLoadSpecSchema,
      {
        dut: { address: '198.18.0.1' },
        peers: { count: 3, firstAddress: '198.18.1.254' },
        prefixes: { count: 10 },
      },
      'load.json',
    );
    const o = generatorOptions(spec);
    expect(o.dut).toEqual({ address: '198.18.0.1', port: 179, asn: undefined });
    expect(o.peers).toEqual([
      { address: '198.18.1.254', asn: 65001, bgpId: '198.18.1.254' },
      { address: '198.18.1.255', asn: 65002, bgpId: '198.18.1.255' },
      { address: '198.18.2.0', asn: 65003, bgpId: '198.18.2.0' },
    ]);
    expect(o.prefixes).toEqual({ family: 'ipv4', count: 10, length: 24, base: '10.0.0.0', mode: 'distinct' });
    expect(o.attributes).toEqual({ asPathLength: 1, communities: [] });
    expect([o.holdTimeSeconds, o.extendedMessages, o.connectTimeoutMs]).toEqual([90, true, 30_000]);
  });

  it('gives IPv6 peers IPv4 router ids, one AS for all when asked, and the IPv6 plan defaults', () => {
    const spec = parseSpec(
      bgpLoadSpecSchema,
      {
        dut: { address: '2001:db8:ffff::1', port: 1179, as: 64512 },
        peers: {
          count: 2,
          addresses: ['2001:db8:ffff::10', '2001:db8:ffff::20'],
          firstAs: 64600,
          sameAs: true,
        },
        prefixes: { family: 'ipv6', count: 5, mode: 'shared' },
      },
      'load.json',
    );
    const o = generatorOptions(spec);
    expect(o.peers.map((p) => [p.address, p.asn, p.bgpId])).toEqual([
      ['2001:db8:ffff::10', 64600, '10.255.0.1'],
      ['2001:db8:ffff::20', 64600, '10.255.0.2'],
    ]);
    expect(o.prefixes).toMatchObject({ length: 48, base: '2001:db8::', mode: 'shared' });
  });

  it('reports every problem with the file and key', () => {
    const bad = {
      dut: { address: '10.0.0.300', port: 0 },
      peers: { count: 2, addresses: ['10.0.0.1'] },
      prefixes: { count: 1, family: 'ipv5' },
      attributes: { communities: ['65000'] },
      holdTimeSeconds: 2,
      extra: 1,
    };
    let err: unknown;
    try {
      parseSpec(bgpLoadSpecSchema, bad, 'load.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'load.json: extra: unknown key "extra"',
        'load.json: dut.address: expected an IPv4 or IPv6 address, found "10.0.0.300"',
        'load.json: prefixes.family: Invalid option: expected one of "ipv4"|"ipv6", found "ipv5"',
        'load.json: attributes.communities[0]: expected a community "AS:value" like 65000:100, found "65000"',
        'load.json: holdTimeSeconds: expected 0 or 3..65535, found 2',
      ]),
    );
    expect(lines.some((l) => l.startsWith('load.json: dut.port: '))).toBe(true);
  });

  it('checks the peer list against the count once the fields are valid', () => {
    expect(() =>
      parseSpec(
        bgpLoadSpecSchema,
        {
          dut: { address: '10.0.0.1' },
          peers: { count: 2, addresses: ['10.0.0.2'] },
          prefixes: { count: 1 },
        },
        'l.json',
      ),
    ).toThrow('l.json: peers.addresses: expected at least count (2) addresses, found a list of 1');
  });

  it('monitor spec: defaults to both families and its own address as router id', () => {
    const spec = parseSpec(
      bgpMonitorSpecSchema,
      { dut: { address: '127.0.0.2', port: 10179 }, monitor: { address: '127.0.0.1' }, expect: 7 },
      'm.json',
    );
    expect(spec.expect).toBe(7);
    expect(monitorOptions(spec)).toMatchObject({
      address: '127.0.0.1',
      asn: 65535,
      bgpId: '127.0.0.1',
      families: ['ipv4', 'ipv6'],
    });
  });
});
