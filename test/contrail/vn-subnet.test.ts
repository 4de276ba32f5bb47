import { describe, expect, it } from 'vitest';
import { vnSubnet } from '../../lib/contrail/vn-provisioning.ts';

describe('VN subnets', () => {
  it('gives consecutive, non-overlapping blocks in 10/8 and refuses what does not fit', () => {
    expect([0, 1, 256].map((k) => vnSubnet(k, 24))).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24']);
    expect(vnSubnet(3, 30)).toBe('10.0.0.12/30');
    expect(() => vnSubnet(256, 16)).toThrow(/257 subnets of \/16 do not fit in 10.0.0.0\/8/);
  });
});
