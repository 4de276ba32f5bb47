import { describe, expect, it } from 'vitest';
import { monotonicMs, clockResolutionMs } from 'netscale';

describe('monotonic clock', () => {
  it('never goes backwards and resolves below a millisecond', () => {
    const a = monotonicMs();
    const b = monotonicMs();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(clockResolutionMs()).toBeLessThan(1);
  });
});
