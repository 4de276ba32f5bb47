import { describe, expect, it } from 'vitest';
import { buildArgs, buildCommand, type BgpStressRun } from '../../lib/bgpstress/command.ts';

const base: BgpStressRun = {
  nagents: 10,
  ninstances: 2,
  nroutes: 100,
  testId: 3,
  instanceName: 'c42_t41_block1_n',
  xmppServer: '10.84.7.42',
  xmppPort: 5269,
  xmppSource: '10.84.41.1',
  pause: true,
  routesSendTrigger: '/tmp/run 1/trigger',
};

describe('bgp_stress_test command builder', () => {
  it('builds the legacy harness command line with env and extra flags, quoting what needs it', () => {
    const cmd = buildCommand({
      ...base,
      binary: '/root/bgp/bgp_stress_test',
      env: 'XMPP_KEEPALIVE_SECONDS=300000,  LOG_DISABLE=TRUE',
      extraFlags: '--no-agents-updates-processing  --log-level=SYS_EMERG --log-local',
    });
    expect(cmd).toBe(
      'env XMPP_KEEPALIVE_SECONDS=300000 LOG_DISABLE=TRUE /root/bgp/bgp_stress_test --nagents=10 --ninstances=2 ' +
        '--nroutes=100 --nvms=0 --nevents=-1 --test-id=3 --xmpp-server=10.84.7.42 --xmpp-port=5269 ' +
        "--xmpp-source=10.84.41.1 --instance-name=c42_t41_block1_n '--routes-send-trigger=/tmp/run 1/trigger' " +
        '--pause --no-agents-updates-processing --log-level=SYS_EMERG --log-local',
    );
  });

  it.each([
    [{ nagents: 128 }, /nagents: expected at most 127 \(without xmppPrefix/],
    [{ nroutes: 1024 }, /nroutes: expected at most 1023/],
    [{ ninstances: 64 }, /ninstances: expected at most 63/],
    [{ testId: 512 }, /testId: expected at most 511/],
    [
      { nagents: 4096, xmppPrefixFormatLarge: true },
      /nagents: expected at most 4095 \(large prefix format\)/,
    ],
    [{ nagents: -1 }, /nagents: expected an integer in 0\.\./],
    [{ nagents: 2.5 }, /nagents: expected an integer/],
    [{ xmppPort: 70000 }, /xmppPort: expected an integer in 1\.\.65535, found 70000/],
    [{ xmppServer: 'cn1' }, /xmppServer: expected an IPv4 address, found "cn1"/],
    [{ xmppSource: '10.1.1' }, /xmppSource: expected an IPv4 address/],
    [{ xmppPrefix: '10.1.0.1/40' }, /xmppPrefix: expected an IPv4 prefix/],
    [{ instanceName: 'a b;rm' }, /instanceName: expected letters/],
    [
      { extraFlags: '--log-level=SYS_EMERG; reboot' },
      /extraFlags \(logging_etc\): expected long options.*found "reboot"/,
    ],
    [{ env: 'XMPP_KEEPALIVE_SECONDS' }, /env \(bgp_env\): expected NAME=value pairs/],
    [{ nevents: -2 }, /nevents: expected an integer in -1\.\./],
  ])('refuses %j naming the knob', (patch, message) => {
    expect(() => buildCommand({ ...base, ...(patch as Partial<BgpStressRun>) })).toThrow(message);
  });

  it('lifts the range limits when a start prefix is given', () => {
    const args = buildArgs({ ...base, nagents: 1000, nroutes: 5000, xmppPrefix: '60.0.0.1/32' });
    expect(args).toContain('--nagents=1000');
    expect(args).toContain('--xmpp-prefix=60.0.0.1/32');
  });

  it('never lets a value escape its word', () => {
    const cmd = buildCommand({ ...base, routesSendTrigger: "/tmp/it's $(reboot)" });
    expect(cmd).toContain(`'--routes-send-trigger=/tmp/it'\\''s $(reboot)'`);
  });
});
