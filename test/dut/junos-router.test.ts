import { describe, expect, it } from 'vitest';
import { parseJunosBgpNeighbors } from '../../lib/dut/junos-router.ts';

describe('router check', () => {
  it('reads peers and states from Junos show bgp neighbor', () => {
    const out = [
      'Peer: 10.84.7.42+179 AS 64512  Local: 10.84.7.250+51234 AS 64512',
      '  Type: Internal    State: Established    Flags: <Sync>',
      '  Last State: OpenConfirm   Last Event: RecvKeepAlive',
      'Peer: 10.84.7.40 AS 64512  Local: 10.84.7.250 AS 64512',
      '  Type: Internal    State: Active    Flags: <>',
    ].join('\n');
    expect(parseJunosBgpNeighbors(out)).toEqual([
      { peer: '10.84.7.42', state: 'Established' },
      { peer: '10.84.7.40', state: 'Active' },
    ]);
  });
});
