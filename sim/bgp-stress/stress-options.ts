/** Typed bgp_stress_test settings from the parsed command line, with the real tool's defaults and range checks. */
import { optionLimits, sourceBase } from './tool-naming.ts';
import { OPTION_SPECS } from './option-table.ts';
import type { GivenOptions } from './command-line.ts';

export interface StressOptions {
  help: boolean;
  nagents: number;
  ninstances: number;
  nroutes: number;
  npeers: number;
  nvms: number;
  /** -1 = no events, 0 = forever, N = N random events. */
  nevents: number;
  testId: number;
  instanceName?: string;
  pause: boolean;
  routesSendTrigger: string;
  xmppServer: string;
  /** Set = external control node mode (the only mode the emulator runs). */
  xmppPort?: number;
  /** The address agent 1 binds, after --test-id moved the default (see sourceBase). */
  xmppSource: string;
  xmppNexthop: string;
  xmppNexthopVary: boolean;
  xmppPrefix?: string;
  largeFormat: boolean;
  noMulticast: boolean;
  noEnet: boolean;
  noInet6: boolean;
  noVerifyRoutes: boolean;
  noAgentsUpdatesProcessing: boolean;
  noAgentsMessagesProcessing: boolean;
  noSandeshServer: boolean;
  httpPort?: number;
  logLevel: string;
  logFile: string;
  logFileUniquefy: boolean;
  logDisable: boolean;
  logLocalDisable: boolean;
  /** Event name (ADD_XMPP_ROUTE, ...) -> weight. */
  eventWeights: Map<string, number>;
}

function defaultOf(name: string): string {
  return OPTION_SPECS.find((o) => o.name === name)?.default ?? '';
}

export function toStressOptions(given: GivenOptions, env: NodeJS.ProcessEnv = process.env): StressOptions {
  const str = (name: string) => given.get(name) ?? defaultOf(name);
  const int = (name: string) => Number(str(name));
  const optInt = (name: string) => (given.has(name) ? Number(given.get(name)) : undefined);
  const on = (name: string) => given.has(name);

  // The real tool reads BGP_STRESS_TEST_NEVENTS before the command line.
  const neventsEnv = env.BGP_STRESS_TEST_NEVENTS;
  const nevents = given.has('nevents')
    ? int('nevents')
    : neventsEnv !== undefined && /^-?\d+$/.test(neventsEnv.trim())
      ? Number(neventsEnv.trim())
      : int('nevents');

  const eventWeights = new Map<string, number>();
  for (const o of OPTION_SPECS) {
    if (o.name.startsWith('weight-')) {
      eventWeights.set(o.name.slice('weight-'.length).toUpperCase().replace(/-/g, '_'), Number(str(o.name)));
    }
  }
  return {
    help: on('help'),
    nagents: int('nagents'),
    ninstances: int('ninstances'),
    nroutes: int('nroutes'),
    npeers: int('npeers'),
    nvms: int('nvms'),
    nevents,
    testId: int('test-id'),
    instanceName: given.get('instance-name'),
    pause: on('pause'),
    routesSendTrigger: str('routes-send-trigger'),
    xmppServer: str('xmpp-server'),
    xmppPort: optInt('xmpp-port'),
    xmppSource: sourceBase(str('xmpp-source'), given.has('test-id'), int('test-id')),
    xmppNexthop: str('xmpp-nexthop'),
    xmppNexthopVary: on('xmpp-nexthop-vary'),
    xmppPrefix: given.get('xmpp-prefix'),
    largeFormat: on('xmpp-prefix-format-large'),
    noMulticast: on('no-multicast'),
    noEnet: on('no-enet'),
    noInet6: on('no-inet6'),
    noVerifyRoutes: on('no-verify-routes'),
    noAgentsUpdatesProcessing: on('no-agents-updates-processing'),
    noAgentsMessagesProcessing: on('no-agents-messages-processing'),
    noSandeshServer: on('no-sandesh-server'),
    httpPort: optInt('http-port'),
    logLevel: str('log-level'),
    logFile: str('log-file'),
    logFileUniquefy: on('log-file-uniquefy'),
    logDisable: on('log-disable'),
    logLocalDisable: on('log-local-disable'),
    eventWeights,
  };
}

/**
 * The real tool's range check (prefix bit fields must not overflow); only
 * without --xmpp-prefix. Returns the line it prints, or undefined when fine.
 */
export function rangeError(o: StressOptions): string | undefined {
  if (o.xmppPrefix !== undefined && o.xmppPrefix !== '') return undefined;
  const max = optionLimits(o.largeFormat);
  const checks: [string, number, number][] = [
    ['test-id', o.testId, max.testId],
    ['ninstances', o.ninstances, max.ninstances],
    ['nagents', o.nagents, max.nagents],
    ['nroutes', o.nroutes, max.nroutes],
  ];
  for (const [name, value, limit] of checks) {
    if (value > limit) return `Invalid ${name}. Valid range <0 - ${limit}>`;
  }
  return undefined;
}
