/**
 * The naming and addressing rules of tf-controller's bgp_stress_test
 * (src/bgp/test/bgp_stress_test.cc): agent names, instance names, the
 * prefixes each agent advertises and the source address each agent binds.
 * The emulator and the planner both use them, so a plan predicts exactly
 * what the tool will advertise.
 */
import { formatPrefix, incrementPrefix, intToIpv4, ipv4ToInt, parseIpv4Prefix } from './ipv4.ts';
import type { Ipv4Prefix } from './ipv4.ts';

export const MASTER_INSTANCE = 'default-domain:default-project:ip-fabric:__default__';
export const AGENT_DOMAIN = 'vnsw.contrailsystems.com';

/** Upper bounds the tool enforces when no --xmpp-prefix is given (prefix bit fields must not overflow). */
export interface RangeLimits {
  testId: number;
  ninstances: number;
  nagents: number;
  nroutes: number;
}

export const SMALL_FORMAT_LIMITS: RangeLimits = { testId: 511, ninstances: 63, nagents: 127, nroutes: 1023 };
export const LARGE_FORMAT_LIMITS: RangeLimits = { testId: 7, ninstances: 31, nagents: 4095, nroutes: 4095 };

export function rangeLimits(largeFormat: boolean): RangeLimits {
  return largeFormat ? LARGE_FORMAT_LIMITS : SMALL_FORMAT_LIMITS;
}

/** Agent index is 1-based as in the tool's names: agent<test-id>.<n>@vnsw.contrailsystems.com. */
export function agentName(testId: number, agentNumber: number): string {
  return `agent${testId}.${agentNumber}@${AGENT_DOMAIN}`;
}

/** Instance 0 is the master instance; others use --instance-name or network1.instance<i>. */
export function instanceName(instanceId: number, instanceNamePrefix?: string): string {
  if (instanceId === 0) return MASTER_INSTANCE;
  const vn = instanceNamePrefix ? `${instanceNamePrefix}${instanceId}` : `network1.instance${instanceId}`;
  return `default-domain:admin:${vn}:${vn}`;
}

/**
 * Source address of agent number n (1-based): --xmpp-source + n - 1. When
 * --test-id is given and the source is left at 127.0.0.1, the tool moves it
 * to 127.<test-id>.0.1 so that parallel runs do not collide.
 */
export function agentSourceAddress(source: string, agentNumber: number, testId?: number): string {
  const base = testId !== undefined && source === '127.0.0.1' ? `127.${testId}.0.1` : source;
  return intToIpv4(ipv4ToInt(base, 'xmpp-source') + agentNumber - 1);
}

export interface PrefixRule {
  testId: number;
  largeFormat: boolean;
  /** --xmpp-prefix: every agent and instance then advertises the same prefixes from this start. */
  startPrefix?: string;
}

/**
 * Prefix number routeId (0-based) of agent number agentNumber (1-based) in
 * instance instanceId. Bit layout small: test-id 9 | instance 6 | agent 7 |
 * route 10; large: test-id 3 | instance 5 | agent 12 | route 12.
 */
export function agentRoutePrefix(
  rule: PrefixRule,
  agentNumber: number,
  instanceId: number,
  routeId: number,
): string {
  let start: Ipv4Prefix;
  if (rule.startPrefix !== undefined) {
    start = parseIpv4Prefix(rule.startPrefix, 'xmpp-prefix');
  } else if (rule.largeFormat) {
    const address =
      (rule.testId << 29) |
      (instanceId << 24) |
      (((agentNumber >> 4) & 0xff) << 16) |
      ((agentNumber & 0xf) << 12) |
      1;
    start = { address: address >>> 0, length: 32 };
  } else {
    start = {
      address: ((rule.testId << 23) | (instanceId << 17) | (agentNumber << 10) | 1) >>> 0,
      length: 32,
    };
  }
  return formatPrefix(incrementPrefix(start, routeId));
}
