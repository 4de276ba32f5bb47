/**
 * Per-test-server plan of bgp_stress_test runs, following the legacy
 * harness's rules so that nothing overlaps between servers or iterations:
 * VN names c<cn>_t<ts>_block<b>_n<i>, one test id per (server, iteration),
 * agent source addresses from a per-server slice, prefixes from the test id
 * (or from disjoint --xmpp-prefix blocks).
 */
import { formatPrefix, incrementPrefix, intToIpv4, ipv4ToInt, lastOctet, parseIpv4Prefix } from './ipv4.ts';
import { instanceName, rangeLimits } from './tool-naming.ts';
import type { BgpStressRun } from './command.ts';

export interface PlanServer {
  name: string;
  address: string;
  /**
   * Real lab: first agent source address on this server (lab testServers[].xmppSource, legacy xmpp_src).
   * Its slice then runs from here to the end of its sourcePrefixLen subnet instead of being derived
   * from the server's address.
   */
  xmppSource?: string;
}

export interface PlanIteration {
  ninstances: number;
  nagents: number;
  nroutes: number;
}

export interface PlanNaming {
  /** Domain of the VNs (ri_domain_name). The tool itself always names instances default-domain:admin:... */
  riDomainName?: string;
  /** Project of the VNs (ri_proj_name). Default admin, the project bgp_stress_test subscribes to. */
  riProjName?: string;
  /** Optional text before the legacy name (vn_basename). */
  vnBasename?: string;
  /** First block number (start_block_num). Default 1. */
  startBlock?: number;
  /** Blocks of VNs per iteration (nblocks_of_vns). Default 1. */
  nblocks?: number;
}

export interface PlanInput {
  controlNode: string;
  xmppPort: number;
  servers: PlanServer[];
  iterations: PlanIteration[];
  naming?: PlanNaming;
  /** Real lab: prefix length of the subnet the agents' secondary addresses live in (xmpp_src_prefix_len). Default 16. */
  sourcePrefixLen?: number;
  /** First test id. Default 0. */
  testIdBase?: number;
  xmppPrefixFormatLarge?: boolean;
  /** use_xmpp_start_prefix / xmpp_start_prefix: runs get disjoint blocks from here. */
  xmppStartPrefix?: string;
  /** Copied into every run (binary, pause, trigger, extraFlags, env, nevents). */
  runDefaults?: Partial<BgpStressRun>;
}

export interface PlannedIteration {
  iteration: number;
  testId: number;
  block: number;
  /** --instance-name value. */
  instanceNamePrefix: string;
  /** VN names used by this iteration (instance i -> <prefix><i>). */
  vnNames: string[];
  /** Routing instances as bgp_stress_test names them (default-domain:admin:...). */
  toolInstances: string[];
  agentSources: { first: string; last: string };
  /** Prefixes the run advertises: count of distinct prefixes per instance and an inclusive address range. */
  prefixes: { perInstance: number; first: string; last: string };
  run: BgpStressRun;
}

export interface ServerPlan {
  server: PlanServer;
  /** Every VN to create for this server: nblocks x iterations x max(ninstances). */
  vnNames: string[];
  /** fq-names of those VNs. */
  vnFqNames: string[][];
  iterations: PlannedIteration[];
  /** Addresses the agents bind (the secondary-address plan adds these on a real lab). */
  sourcePrefixLen: number;
  allSources: string[];
  /** Present when the VNs' project differs from what the tool subscribes to. */
  warnings: string[];
}

export class PlanError extends Error {
  override name = 'PlanError';
}

function legacyVnBase(n: PlanNaming, cn: string, ts: string, block: number): string {
  return `${n.vnBasename ?? ''}c${lastOctet(cn, 'controlNode')}_t${lastOctet(ts, 'test server address')}_block${block}_n`;
}

/** First agent source address of a server and how many its slice holds. */
function sourceSlice(input: PlanInput, server: PlanServer): { base: number; size: number } {
  const len = input.sourcePrefixLen ?? 16;
  if (server.xmppSource !== undefined) {
    if (!Number.isInteger(len) || len < 8 || len > 30) {
      throw new PlanError(`plan: sourcePrefixLen (xmpp_src_prefix_len): expected 8..30, found ${len}`);
    }
    const base = ipv4ToInt(server.xmppSource, `test server ${server.name} xmppSource`);
    // Up to, not including, the subnet's broadcast address.
    const broadcast = (base | (2 ** (32 - len) - 1)) >>> 0;
    return { base, size: broadcast - base };
  }
  if (!Number.isInteger(len) || len < 8 || len > 24) {
    throw new PlanError(`plan: sourcePrefixLen (xmpp_src_prefix_len): expected 8..24, found ${len}`);
  }
  const addr = ipv4ToInt(server.address, `test server ${server.name} address`);
  const network = len === 0 ? 0 : (addr & (~0 << (32 - len))) >>> 0;
  // Each possible last octet owns 1/256 of the subnet, so servers never share addresses.
  const slice = 2 ** (32 - len) / 256;
  return { base: network + (addr & 255) * slice + 1, size: Math.max(0, slice - 2) };
}

export function planServers(input: PlanInput): ServerPlan[] {
  const naming = input.naming ?? {};
  const nblocks = naming.nblocks ?? 1;
  const startBlock = naming.startBlock ?? 1;
  const large = input.xmppPrefixFormatLarge === true;
  const limits = rangeLimits(large);
  if (input.servers.length === 0)
    throw new PlanError('plan: servers: expected at least one test server, found none');
  if (input.iterations.length === 0)
    throw new PlanError('plan: iterations: expected at least one, found none');
  const names = new Set<string>();
  for (const s of input.servers) {
    if (names.has(s.name)) throw new PlanError(`plan: servers: duplicate test server name '${s.name}'`);
    names.add(s.name);
  }
  const octets = new Map<number, string>();
  for (const s of input.servers) {
    const o = lastOctet(s.address, `test server ${s.name} address`);
    const other = octets.get(o);
    if (other !== undefined) {
      throw new PlanError(
        `plan: test servers ${other} and ${s.name} share the last octet ${o}; the legacy naming (c<cn>_t<ts>_...) would collide`,
      );
    }
    octets.set(o, s.name);
  }
  const maxInstances = Math.max(...input.iterations.map((it) => it.ninstances));
  const domain = naming.riDomainName ?? 'default-domain';
  // 'admin' because the tool names instances default-domain:admin:...; another project only works
  // with a tool variant that knows it (the legacy harness patched one).
  const project = naming.riProjName ?? 'admin';
  let testId = input.testIdBase ?? 0;
  let prefixCursor = input.xmppStartPrefix
    ? parseIpv4Prefix(input.xmppStartPrefix, 'xmppStartPrefix')
    : undefined;

  const plans = input.servers.map((server) => {
    const tsAddress = server.address;
    const vnNames: string[] = [];
    for (let b = startBlock; b < startBlock + nblocks * input.iterations.length; b++) {
      for (let i = 1; i <= maxInstances; i++)
        vnNames.push(`${legacyVnBase(naming, input.controlNode, tsAddress, b)}${i}`);
    }
    const slice = sourceSlice(input, server);
    let sourceOffset = 0;
    const allSources: string[] = [];
    const iterations = input.iterations.map((it, k): PlannedIteration => {
      const id = testId++;
      if (!input.xmppStartPrefix && id > limits.testId) {
        throw new PlanError(
          `plan: test ids: ${input.servers.length} servers x ${input.iterations.length} iterations need test id ${id}, the tool allows at most ${limits.testId}${large ? ' in the large format' : ''}`,
        );
      }
      const block = startBlock + k * nblocks;
      const prefix = legacyVnBase(naming, input.controlNode, tsAddress, block);
      if (sourceOffset + it.nagents > slice.size) {
        throw new PlanError(
          `plan: test server ${server.name}: ${sourceOffset + it.nagents} agent source addresses needed, its slice holds ${slice.size}` +
            ' (use a shorter sourcePrefixLen)',
        );
      }
      const first = slice.base + sourceOffset;
      for (let a = 0; a < it.nagents; a++) allSources.push(intToIpv4(first + a));
      sourceOffset += it.nagents;
      let xmppPrefix: string | undefined;
      let prefixes: PlannedIteration['prefixes'];
      if (prefixCursor) {
        xmppPrefix = formatPrefix(prefixCursor);
        const last = incrementPrefix(prefixCursor, Math.max(0, it.nroutes - 1));
        prefixes = {
          perInstance: it.nroutes,
          first: intToIpv4(prefixCursor.address),
          last: intToIpv4(last.address),
        };
        prefixCursor = incrementPrefix(prefixCursor, it.nroutes);
      } else {
        prefixes = {
          perInstance: it.nagents * it.nroutes,
          ...testIdPrefixRange(id, large),
        };
      }
      const run: BgpStressRun = {
        pause: true,
        nevents: -1,
        ...input.runDefaults,
        nagents: it.nagents,
        ninstances: it.ninstances,
        nroutes: it.nroutes,
        testId: id,
        instanceName: prefix,
        xmppServer: input.controlNode,
        xmppPort: input.xmppPort,
        xmppSource: intToIpv4(first),
        xmppPrefixFormatLarge: large || undefined,
        xmppPrefix,
      };
      return {
        iteration: k,
        testId: id,
        block,
        instanceNamePrefix: prefix,
        vnNames: Array.from({ length: it.ninstances }, (_, i) => `${prefix}${i + 1}`),
        toolInstances: Array.from({ length: it.ninstances }, (_, i) => instanceName(i + 1, prefix)),
        agentSources: { first: intToIpv4(first), last: intToIpv4(first + Math.max(0, it.nagents - 1)) },
        prefixes,
        run,
      };
    });
    const warnings =
      domain !== 'default-domain' || project !== 'admin'
        ? [
            `VNs are created as ${domain}:${project}:<vn> but bgp_stress_test subscribes to default-domain:admin:<vn>:<vn>; ` +
              'agents stay pending unless ri_proj_name is admin (the control node holds the subscriptions as pending)',
          ]
        : [];
    return {
      server,
      vnNames,
      vnFqNames: vnNames.map((vn) => [domain, project, vn]),
      iterations,
      sourcePrefixLen: input.sourcePrefixLen ?? 16,
      allSources,
      warnings,
    };
  });
  // Derived slices never meet; sources given per server (xmppSource) may.
  const owner = new Map<string, string>();
  for (const p of plans) {
    for (const a of p.allSources) {
      const other = owner.get(a);
      if (other !== undefined)
        throw new PlanError(
          `plan: test servers ${other} and ${p.server.name} would both bind agent source ${a}; give them xmppSource addresses further apart`,
        );
      owner.set(a, p.server.name);
    }
  }
  return plans;
}

/** The address block a test id's prefixes live in (the test id is the top bits). */
function testIdPrefixRange(testId: number, large: boolean): { first: string; last: string } {
  const shift = large ? 29 : 23;
  const first = (testId * 2 ** shift) >>> 0;
  return { first: intToIpv4(first), last: intToIpv4(first + 2 ** shift - 1) };
}
