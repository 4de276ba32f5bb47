import { describe, expect, it } from 'vitest';
import { selectDaemons } from '../../lib/daemons/select-daemons.ts';

describe('which daemons a run measures', () => {
  it("all of the scenario's without NETSCALE_DUT; the named ones with it", () => {
    expect(selectDaemons(['gobgp', 'bird', 'frr'], {})).toEqual(['gobgp', 'bird', 'frr']);
    expect(selectDaemons(['gobgp', 'bird', 'frr'], { NETSCALE_DUT: 'frr, bird' })).toEqual(['frr', 'bird']);
  });

  it('names the variable and what was expected for an unknown daemon or one the scenario does not list', () => {
    expect(() => selectDaemons(['bird'], { NETSCALE_DUT: 'quagga' })).toThrow(
      'NETSCALE_DUT: expected gobgp, bird, frr (comma-separated), found "quagga"',
    );
    expect(() => selectDaemons(['bird'], { NETSCALE_DUT: 'frr' })).toThrow(
      "NETSCALE_DUT: frr is not among the scenario's bgpDaemon.duts (bird)",
    );
  });
});
