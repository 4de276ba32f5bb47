import { expect, it } from 'vitest';
import {
  parseRouteGet,
  routeGetCommand,
  secondaryAddressPlan,
} from '../../lib/bgpstress/secondary-addresses.ts';

it('finds the interface that routes to the control node', () => {
  expect(routeGetCommand('10.84.7.42')).toBe('ip -o route get 10.84.7.42 2>&1');
  expect(parseRouteGet('10.84.7.42 dev eth1 src 10.84.7.41 uid 0 \\    cache \n', '10.84.7.42')).toEqual({
    device: 'eth1',
    source: '10.84.7.41',
  });
  expect(parseRouteGet('10.9.9.9 via 10.84.7.1 dev bond0 src 10.84.7.41 uid 0', '10.9.9.9')).toMatchObject({
    device: 'bond0',
    via: '10.84.7.1',
  });
  expect(() => parseRouteGet('RTNETLINK answers: Network is unreachable', '10.9.9.9')).toThrow(
    /no route to the control node 10\.9\.9\.9: .*named no interface.*Network is unreachable/,
  );
  expect(() => parseRouteGet('local 127.0.0.1 dev lo src 127.0.0.1', '127.0.0.1')).toThrow(/over lo/);
  expect(() => routeGetCommand('cn1; reboot')).toThrow(/expected an IPv4 address/);
});

it('adds (idempotently) and removes (last added first) the agents addresses in one batch, or nothing when skipped', () => {
  const plan = secondaryAddressPlan({
    route: { device: 'eth1' },
    addresses: ['10.84.41.1', '10.84.41.2'],
    prefixLen: 16,
  });
  expect(plan.add).toEqual([
    {
      command: 'ip -force -batch -',
      input: 'address replace 10.84.41.1/16 dev eth1\naddress replace 10.84.41.2/16 dev eth1\n',
    },
  ]);
  expect(plan.remove[0]!.input).toBe(
    'address del 10.84.41.2/16 dev eth1\naddress del 10.84.41.1/16 dev eth1\n',
  );
  expect(
    secondaryAddressPlan({ route: { device: 'eth1' }, addresses: ['10.0.0.1'], prefixLen: 16, sudo: true })
      .add[0]!.command,
  ).toBe('sudo -n ip -force -batch -');
  expect(
    secondaryAddressPlan({ route: { device: 'eth1' }, addresses: ['10.0.0.1'], prefixLen: 16, skip: true }),
  ).toEqual({
    add: [],
    remove: [],
  });
  expect(() =>
    secondaryAddressPlan({ route: { device: 'eth1' }, addresses: ['10.0.0.256'], prefixLen: 16 }),
  ).toThrow(/expected IPv4 addresses, found '10.0.0.256'/);
});
