/**
 * From a typed bgp_stress_test run to a shell-safe command line. Every knob
 * is checked before anything touches the lab, with the knob's name, what was
 * expected and what was found.
 */
import { isIpv4, parseIpv4Prefix } from './ipv4.ts';
import { rangeLimits } from './tool-naming.ts';
import { shellQuote } from '../hosts/shell-quote.ts';

export interface BgpStressRun {
  /** Path of the bgp_stress_test binary on the test server. Default "bgp_stress_test". */
  binary?: string;
  nagents: number;
  ninstances: number;
  /** Routes per agent per instance. */
  nroutes: number;
  testId: number;
  /** Instance name start: instances are default-domain:admin:<name><i>:<name><i>. */
  instanceName?: string;
  xmppServer: string;
  xmppPort: number;
  /** Source address of agent 1; agent N binds source + N - 1. */
  xmppSource: string;
  /** Start prefix (e.g. 10.1.0.1/32); lifts the range limits, every agent then advertises the same prefixes. */
  xmppPrefix?: string;
  xmppPrefixFormatLarge?: boolean;
  /** Hold after the initial setup until stdin closes (the harness's delete phase ends it). */
  pause: boolean;
  /** Routes are sent only once this file exists (it is then deleted). */
  routesSendTrigger?: string;
  /** -1 = no random events (the harness's choice), 0 = forever. Default -1. */
  nevents?: number;
  /** The legacy `logging_etc`: extra flags, e.g. "--no-agents-updates-processing --log-level=SYS_EMERG". */
  extraFlags?: string;
  /** The legacy `bgp_env`: "NAME=value" pairs separated by spaces or commas, e.g. "XMPP_KEEPALIVE_SECONDS=300000". */
  env?: string | Record<string, string>;
}

export class BgpStressRunError extends Error {
  override name = 'BgpStressRunError';
}

function fail(knob: string, expected: string, found: unknown): never {
  throw new BgpStressRunError(
    `bgp_stress_test run: ${knob}: expected ${expected}, found ${JSON.stringify(found)}`,
  );
}

function checkInt(knob: string, value: unknown, min: number, max = 2 ** 31 - 1): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(knob, `an integer in ${min}..${max}`, value);
  }
}

/** Parses the legacy bgp_env into ordered NAME=value pairs, rejecting anything else. */
export function parseEnv(env: BgpStressRun['env']): [string, string][] {
  if (env === undefined) return [];
  const pairs: [string, string][] =
    typeof env === 'string'
      ? env
          .split(/[\s,]+/)
          .filter((t) => t !== '')
          .map((t) => {
            const eq = t.indexOf('=');
            return [eq < 0 ? t : t.slice(0, eq), eq < 0 ? '\0' : t.slice(eq + 1)];
          })
      : Object.entries(env);
  for (const [name, value] of pairs) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value === '\0') {
      fail(
        'env (bgp_env)',
        'NAME=value pairs separated by spaces or commas',
        `${name}${value === '\0' ? '' : '=…'}`,
      );
    }
  }
  return pairs;
}

/** Splits extraFlags (logging_etc) into long options; anything else is refused. */
export function parseExtraFlags(flags: string | undefined): string[] {
  const tokens = (flags ?? '').split(/\s+/).filter((t) => t !== '');
  for (const t of tokens) {
    if (!/^--[A-Za-z][A-Za-z0-9-]*(=\S*)?$/.test(t)) {
      fail('extraFlags (logging_etc)', 'long options like --log-level=SYS_EMERG', t);
    }
  }
  return tokens;
}

/** Checks every knob; throws BgpStressRunError naming the first bad one. */
export function validateRun(run: BgpStressRun): void {
  const large = run.xmppPrefixFormatLarge === true;
  const lim = rangeLimits(large);
  const withPrefix = run.xmppPrefix !== undefined && run.xmppPrefix !== '';
  const why = large
    ? ' (large prefix format)'
    : ' (without xmppPrefix; set xmppPrefixFormatLarge or xmppPrefix for more)';
  const bound = (knob: keyof typeof lim, value: number) => {
    checkInt(knob, value, 0);
    if (!withPrefix && value > lim[knob]) fail(knob, `at most ${lim[knob]}${why}`, value);
  };
  bound('nagents', run.nagents);
  bound('ninstances', run.ninstances);
  bound('nroutes', run.nroutes);
  bound('testId', run.testId);
  checkInt('xmppPort', run.xmppPort, 1, 65535);
  if (run.nevents !== undefined) checkInt('nevents', run.nevents, -1);
  if (!isIpv4(run.xmppServer)) fail('xmppServer', 'an IPv4 address', run.xmppServer);
  if (!isIpv4(run.xmppSource)) fail('xmppSource', 'an IPv4 address', run.xmppSource);
  if (withPrefix) parseIpv4Prefix(run.xmppPrefix!, 'xmppPrefix');
  if (run.instanceName !== undefined && !/^[A-Za-z0-9_.-]+$/.test(run.instanceName)) {
    fail('instanceName', 'letters, digits, _ . - (it becomes part of an fq-name)', run.instanceName);
  }
  if (run.routesSendTrigger !== undefined && run.routesSendTrigger.trim() === '') {
    fail('routesSendTrigger', 'a file path', run.routesSendTrigger);
  }
  parseEnv(run.env);
  parseExtraFlags(run.extraFlags);
}

/** The argument vector after the binary, in the legacy harness's order. */
export function buildArgs(run: BgpStressRun): string[] {
  validateRun(run);
  const args = [
    `--nagents=${run.nagents}`,
    `--ninstances=${run.ninstances}`,
    `--nroutes=${run.nroutes}`,
    '--nvms=0',
    `--nevents=${run.nevents ?? -1}`,
    `--test-id=${run.testId}`,
    `--xmpp-server=${run.xmppServer}`,
    `--xmpp-port=${run.xmppPort}`,
    `--xmpp-source=${run.xmppSource}`,
  ];
  if (run.instanceName) args.push(`--instance-name=${run.instanceName}`);
  if (run.xmppPrefix) args.push(`--xmpp-prefix=${run.xmppPrefix}`);
  if (run.xmppPrefixFormatLarge) args.push('--xmpp-prefix-format-large');
  if (run.routesSendTrigger) args.push(`--routes-send-trigger=${run.routesSendTrigger}`);
  if (run.pause) args.push('--pause');
  args.push(...parseExtraFlags(run.extraFlags));
  return args;
}

/** The full shell command line: `env NAME=value ... binary args...`, every word quoted as needed. */
export function buildCommand(run: BgpStressRun): string {
  const args = buildArgs(run);
  const env = parseEnv(run.env).map(([k, v]) => shellQuote(`${k}=${v}`));
  const words = [shellQuote(run.binary ?? 'bgp_stress_test'), ...args.map(shellQuote)];
  return (env.length > 0 ? ['env', ...env, ...words] : words).join(' ');
}
