/**
 * How bgp_stress_test names and numbers what it creates (tf-controller
 * src/bgp/test/bgp_stress_test.cc): agent JIDs (GetAgentName), routing
 * instance names (GetInstanceName), the source address of each agent
 * (BringUpXmppAgent), the prefixes an agent advertises (GetAgentRoute) and
 * the option limits that keep those prefixes from overlapping.
 */
import { MASTER_INSTANCE } from '../xmpp/index.ts';
import { formatIpv4, formatPrefix, parseIpv4, parseIpv4Prefix, stepPrefix, type Ipv4Prefix } from './ipv4.ts';

/**
 * Bit widths of the fields of an agent route's address, high to low:
 * test id | instance id | agent number | route number. The default format
 * packs 9|6|7|10 bits; --xmpp-prefix-format-large 3|5|12|12.
 */
interface PrefixLayout {
  testIdBits: number;
  instanceBits: number;
  agentBits: number;
  routeBits: number;
}

const SMALL_LAYOUT: PrefixLayout = { testIdBits: 9, instanceBits: 6, agentBits: 7, routeBits: 10 };
const LARGE_LAYOUT: PrefixLayout = { testIdBits: 3, instanceBits: 5, agentBits: 12, routeBits: 12 };

const layoutOf = (largeFormat: boolean) => (largeFormat ? LARGE_LAYOUT : SMALL_LAYOUT);
const maxOf = (bits: number) => 2 ** bits - 1;

/** The largest --test-id, --ninstances, --nagents and --nroutes the tool accepts without --xmpp-prefix. */
export interface OptionLimits {
  testId: number;
  ninstances: number;
  nagents: number;
  nroutes: number;
}

export function optionLimits(largeFormat: boolean): OptionLimits {
  const l = layoutOf(largeFormat);
  return {
    testId: maxOf(l.testIdBits),
    ninstances: maxOf(l.instanceBits),
    nagents: maxOf(l.agentBits),
    nroutes: maxOf(l.routeBits),
  };
}

/** The JID of agent number `agentNumber` (1-based): agent<test id>.<n>@vnsw.contrailsystems.com. */
export function agentJid(testId: number, agentNumber: number): string {
  return `agent${testId}.${agentNumber}@vnsw.contrailsystems.com`;
}

/**
 * Instance 0 is the master (ip-fabric) instance; instance i is
 * default-domain:admin:<vn>:<vn> with <vn> = <--instance-name><i>, or
 * network1.instance<i> without --instance-name.
 */
export function routingInstanceName(instanceId: number, instanceNamePrefix?: string): string {
  if (instanceId === 0) return MASTER_INSTANCE;
  const vn = instanceNamePrefix ? `${instanceNamePrefix}${instanceId}` : `network1.instance${instanceId}`;
  return `default-domain:admin:${vn}:${vn}`;
}

/**
 * The --xmpp-source the agents count from: --test-id moves the default
 * 127.0.0.1 to 127.<test id>.0.1, so that runs with different test ids bind
 * different sources.
 */
export function sourceBase(xmppSource: string, testIdGiven: boolean, testId: number): string {
  return testIdGiven && xmppSource === '127.0.0.1' ? `127.${testId}.0.1` : xmppSource;
}

/** Agent number n (1-based) binds the source base + n - 1. */
export function agentSource(base: string, agentNumber: number): string {
  return formatIpv4(parseIpv4(base, 'xmpp-source') + agentNumber - 1);
}

export interface PrefixPlan {
  testId: number;
  largeFormat: boolean;
  /** --xmpp-prefix: every agent then advertises the same prefixes, counted from this one. */
  xmppPrefix?: string;
}

/**
 * The route-th prefix (0-based) that agent number `agentNumber` (1-based)
 * advertises in an instance: a /32 whose address packs the ids as the layout
 * says, with 1 in the route field, stepped by `route`; or --xmpp-prefix
 * stepped by `route`. The option limits keep every id within its field.
 */
export function agentPrefix(
  plan: PrefixPlan,
  agentNumber: number,
  instanceId: number,
  route: number,
): string {
  let first: Ipv4Prefix;
  if (plan.xmppPrefix !== undefined) {
    first = parseIpv4Prefix(plan.xmppPrefix, 'xmpp-prefix');
  } else {
    const l = layoutOf(plan.largeFormat);
    const agentShift = l.routeBits;
    const instanceShift = agentShift + l.agentBits;
    const testIdShift = instanceShift + l.instanceBits;
    const address =
      plan.testId * 2 ** testIdShift + instanceId * 2 ** instanceShift + agentNumber * 2 ** agentShift + 1;
    first = { address, length: 32 };
  }
  return formatPrefix(stepPrefix(first, route));
}
