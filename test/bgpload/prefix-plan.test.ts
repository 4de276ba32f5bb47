import { describe, expect, it } from 'vitest';
import { consecutivePrefixes, nthAddress } from '../../lib/bgpload/address-range.ts';
import { PrefixPlan } from '../../lib/bgpload/prefix-plan.ts';

describe('prefix plan', () => {
  it('gives each peer its own block in distinct mode, the same block in shared mode', () => {
    const distinct = new PrefixPlan({ family: 'ipv4', count: 300, mode: 'distinct' }, 3);
    expect(distinct.prefixesOf(0).slice(0, 2)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(distinct.prefixesOf(1)[0]).toBe('10.1.44.0/24');
    expect(distinct.prefixesOf(2).at(-1)).toBe('10.3.131.0/24');
    expect(distinct.distinctPrefixes).toBe(900);
    const shared = new PrefixPlan(
      { family: 'ipv4', count: 300, mode: 'shared', length: 32, base: '192.0.2.0' },
      3,
    );
    expect(shared.prefixesOf(2)).toBe(shared.prefixesOf(0));
    expect(shared.prefixesOf(1)[299]).toBe('192.0.3.43/32');
    expect(shared.distinctPrefixes).toBe(300);
  });

  it('writes IPv6 prefixes in the form the decoder prints', () => {
    expect(new PrefixPlan({ family: 'ipv6', count: 2, mode: 'distinct' }, 2).prefixesOf(1)).toEqual([
      '2001:db8:2::/48',
      '2001:db8:3::/48',
    ]);
    expect(consecutivePrefixes('2001:db8::', 64, 1, 1)).toEqual(['2001:db8:0:1::/64']);
  });

  it('refuses plans that leave the address space or a base with host bits', () => {
    expect(
      () => new PrefixPlan({ family: 'ipv4', count: 70_000, mode: 'distinct', base: '255.0.0.0' }, 1),
    ).toThrow('70000 /24 prefixes from 255.0.0.0 do not fit the ipv4 space');
    expect(() => consecutivePrefixes('10.0.0.1', 24, 0, 1)).toThrow(
      'prefix base 10.0.0.1 has bits set below /24',
    );
    expect(nthAddress('198.18.0.255', 2)).toBe('198.18.1.1');
    expect(() => nthAddress('255.255.255.255', 1, 'peers.firstAddress')).toThrow(
      'peers.firstAddress: 255.255.255.255 + 1 leaves the ipv4 space',
    );
  });
});
