import { describe, expect, it } from 'vitest';
import { sharedRunId } from '../../lib/run/shared-run-id.ts';

describe('shared run id', () => {
  it('is NETSCALE_RUN_ID when set, else stable for this process tree and shaped like a run id', () => {
    expect(sharedRunId({ NETSCALE_RUN_ID: 'nightly-42' })).toBe('nightly-42');
    const a = sharedRunId({});
    expect(a).toMatch(/^\d{8}-\d{6}-\d+$/);
    expect(sharedRunId({})).toBe(a);
  });
});
