/**
 * The emulator's names and numbers against bgp_stress_test.cc: expected
 * values are worked out by hand from the tool's source (GetAgentName,
 * GetInstanceName, GetAgentRoute, the option range check), not from code.
 */
import { describe, expect, it } from 'vitest';
import {
  agentJid,
  agentPrefix,
  agentSource,
  optionLimits,
  routingInstanceName,
  sourceBase,
} from '../../../sim/bgp-stress/tool-naming.ts';

describe('bgp_stress_test naming in the emulator', () => {
  it('names agent n of test id t agent<t>.<n>@vnsw.contrailsystems.com', () => {
    expect(agentJid(0, 1)).toBe('agent0.1@vnsw.contrailsystems.com');
    expect(agentJid(7, 12)).toBe('agent7.12@vnsw.contrailsystems.com');
  });

  it('names instance 0 the ip-fabric master and instance i network1.instance<i> or <--instance-name><i>', () => {
    expect(routingInstanceName(0)).toBe('default-domain:default-project:ip-fabric:__default__');
    expect(routingInstanceName(0, 'blk_n')).toBe('default-domain:default-project:ip-fabric:__default__');
    expect(routingInstanceName(3)).toBe('default-domain:admin:network1.instance3:network1.instance3');
    expect(routingInstanceName(2, 'blk_n')).toBe('default-domain:admin:blk_n2:blk_n2');
  });

  it('moves only the default source to 127.<test id>.0.1, and agent n binds the base + n - 1', () => {
    expect(sourceBase('127.0.0.1', true, 5)).toBe('127.5.0.1');
    expect(sourceBase('127.0.0.1', false, 5)).toBe('127.0.0.1');
    expect(sourceBase('10.0.0.1', true, 5)).toBe('10.0.0.1');
    expect(agentSource('127.5.0.1', 1)).toBe('127.5.0.1');
    expect(agentSource('127.5.0.1', 3)).toBe('127.5.0.3');
    expect(agentSource('10.0.0.255', 2)).toBe('10.0.1.0');
    expect(() => agentSource('10.0.0', 1)).toThrow(
      /xmpp-source: expected an IPv4 address .* found '10\.0\.0'/,
    );
  });

  it('limits the options to the widths of the prefix fields', () => {
    expect(optionLimits(false)).toEqual({ testId: 511, ninstances: 63, nagents: 127, nroutes: 1023 });
    expect(optionLimits(true)).toEqual({ testId: 7, ninstances: 31, nagents: 4095, nroutes: 4095 });
  });

  it('packs test id 9 | instance 6 | agent 7 | route 10 bits in the default format', () => {
    const plan = { testId: 1, largeFormat: false };
    // (1 << 23) | (2 << 17) | (3 << 10) | 1 = 0x00840c01
    expect(agentPrefix(plan, 3, 2, 0)).toBe('0.132.12.1/32');
    expect(agentPrefix(plan, 3, 2, 5)).toBe('0.132.12.6/32');
    // The largest ids stay in their fields: (511 << 23) | (63 << 17) | (127 << 10) | 1, + 1022.
    expect(agentPrefix({ testId: 511, largeFormat: false }, 127, 63, 1022)).toBe('255.255.255.255/32');
    expect(agentPrefix({ testId: 0, largeFormat: false }, 1, 1, 0)).toBe('0.2.4.1/32');
  });

  it('packs test id 3 | instance 5 | agent 12 | route 12 bits with --xmpp-prefix-format-large', () => {
    // (1 << 29) | (2 << 24) | (0x12 << 16) | (0x3 << 12) | 1 for agent 0x123 = 0x22123001
    expect(agentPrefix({ testId: 1, largeFormat: true }, 0x123, 2, 0)).toBe('34.18.48.1/32');
    expect(agentPrefix({ testId: 7, largeFormat: true }, 4095, 31, 0)).toBe('255.255.240.1/32');
    expect(agentPrefix({ testId: 7, largeFormat: true }, 4095, 31, 4094)).toBe('255.255.255.255/32');
  });

  it('steps --xmpp-prefix by whole prefixes after clearing host bits and filling missing octets', () => {
    const from = (xmppPrefix: string, route: number) =>
      agentPrefix({ testId: 3, largeFormat: false, xmppPrefix }, 9, 9, route);
    expect(from('10.1.0.1/32', 3)).toBe('10.1.0.4/32');
    expect(from('10.1.2.3/24', 0)).toBe('10.1.2.0/24');
    expect(from('10.1.2.3/24', 1)).toBe('10.1.3.0/24');
    expect(from('10.1/16', 2)).toBe('10.3.0.0/16');
    expect(from('10.1.0.1', 1)).toBe('10.1.0.2/32');
    expect(from('255.255.255.255/32', 1)).toBe('0.0.0.0/32');
    expect(() => from('10.1.0.300/32', 0)).toThrow(/xmpp-prefix: .* found '10\.1\.0\.300\/32'/);
    expect(() => from('10.1.0.0/0', 0)).toThrow(/xmpp-prefix/);
  });
});
