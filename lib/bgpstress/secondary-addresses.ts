/**
 * A real lab's agents need one local address each on the test server: find
 * the interface that routes to the control node (`ip -o route get`), add the
 * planned addresses there before the run and remove them after. Pure
 * builders and a parser, which the caller runs through Host.exec, and
 * routeToControlNode, which runs the route lookup on a host itself.
 */
import { isIpv4 } from './ipv4.ts';
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';

export interface RouteToControlNode {
  device: string;
  /** Preferred source address on that device, when reported. */
  source?: string;
  via?: string;
}

export function routeGetCommand(controlNode: string): string {
  if (!isIpv4(controlNode))
    throw new Error(`secondary addresses: control node: expected an IPv4 address, found '${controlNode}'`);
  // No route is reported on stderr ("RTNETLINK answers: Network is unreachable"): keep it for the parser's error.
  return `ip -o route get ${controlNode} 2>&1`;
}

/** Parses `ip -o route get` output, e.g. "10.84.7.42 via 10.84.7.1 dev eth0 src 10.84.7.41 uid 0 \    cache". */
export function parseRouteGet(output: string, controlNode: string): RouteToControlNode {
  const line = output.split('\n').find((l) => /\bdev\s+\S+/.test(l));
  const dev = line ? /\bdev\s+(\S+)/.exec(line)?.[1] : undefined;
  if (!line || !dev) {
    throw new Error(
      `secondary addresses: no route to the control node ${controlNode}: 'ip -o route get ${controlNode}' named no interface; expected "... dev <if> ...", found ${JSON.stringify(output.trim().slice(0, 200))}`,
    );
  }
  if (dev === 'lo') {
    throw new Error(
      `secondary addresses: the control node ${controlNode} is reached over lo; nothing to add on a loopback route`,
    );
  }
  const route: RouteToControlNode = { device: dev };
  const src = /\bsrc\s+(\S+)/.exec(line)?.[1];
  if (src) route.source = src;
  const via = /\bvia\s+(\S+)/.exec(line)?.[1];
  if (via) route.via = via;
  return route;
}

/** Runs the route lookup on the test server; errors name the host and the control node. */
export async function routeToControlNode(
  host: Host,
  controlNode: string,
  timeoutMs = 30_000,
): Promise<RouteToControlNode> {
  const command = routeGetCommand(controlNode);
  const r = await host.exec(command, { timeoutMs });
  if (r.timedOut)
    throw new Error(
      `test server ${host.name} (${host.address}): '${command}' did not finish in ${timeoutMs} ms`,
    );
  try {
    return parseRouteGet(r.stdout, controlNode);
  } catch (err) {
    throw new Error(`test server ${host.name} (${host.address}): ${(err as Error).message}`, { cause: err });
  }
}

export interface AddressCommand {
  /** Shell command line for Host.exec. */
  command: string;
  /** Its stdin (Host.exec's input option). */
  input: string;
}

function batch(
  op: 'replace' | 'del',
  device: string,
  addresses: readonly string[],
  prefixLen: number,
  sudo: boolean,
): AddressCommand {
  if (!/^[\w.@-]+$/.test(device))
    throw new Error(`secondary addresses: interface name: expected a plain name, found '${device}'`);
  if (!Number.isInteger(prefixLen) || prefixLen < 1 || prefixLen > 32) {
    throw new Error(`secondary addresses: prefix length: expected 1..32, found ${prefixLen}`);
  }
  const bad = addresses.find((a) => !isIpv4(a));
  if (bad !== undefined) throw new Error(`secondary addresses: expected IPv4 addresses, found '${bad}'`);
  // -force: one failing line does not stop the rest.
  return {
    command: `${sudo ? 'sudo -n ' : ''}ip -force -batch -`,
    input: addresses.map((a) => `address ${op} ${a}/${prefixLen} dev ${shellQuote(device)}\n`).join(''),
  };
}

export function addAddressesCommand(
  device: string,
  addresses: readonly string[],
  prefixLen: number,
  sudo = false,
): AddressCommand {
  // replace = add, or keep when already there (left by a run that crashed before removing them): exit code 0.
  return batch('replace', device, addresses, prefixLen, sudo);
}

export function removeAddressesCommand(
  device: string,
  addresses: readonly string[],
  prefixLen: number,
  sudo = false,
): AddressCommand {
  // Reverse order: when the addresses are not in the interface's own subnet the first one added is the
  // subnet's primary, and deleting a primary first also deletes every secondary after it (unless
  // promote_secondaries is set), so the following lines would fail with "Address not found".
  return batch('del', device, [...addresses].reverse(), prefixLen, sudo);
}

export interface SecondaryAddressPlan {
  /** Empty when skipped (embedded lab, or skip_check_and_fix_connectivity). */
  add: AddressCommand[];
  remove: AddressCommand[];
}

export function secondaryAddressPlan(opts: {
  route: RouteToControlNode;
  addresses: readonly string[];
  prefixLen: number;
  skip?: boolean;
  sudo?: boolean;
}): SecondaryAddressPlan {
  if (opts.skip || opts.addresses.length === 0) return { add: [], remove: [] };
  return {
    add: [addAddressesCommand(opts.route.device, opts.addresses, opts.prefixLen, opts.sudo)],
    remove: [removeAddressesCommand(opts.route.device, opts.addresses, opts.prefixLen, opts.sudo)],
  };
}
