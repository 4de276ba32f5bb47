/**
 * Emulated Junos router CLI (launched by sim/bin/junos-cli) for the embedded lab: an MX peering with the
 * emulated control node, answering the operational commands a lab file's routers[] entry runs, in Junos's
 * format. Its state is the control node's own view (GET /sim/router-view), read on every command: the router
 * has exactly the VPN routes the control node re-advertises, while its session is up.
 *
 *   junos-cli --introspect URL [--local-address ADDR] [--asn N] [--peer-name NAME] -c "show route summary"
 *
 *   --introspect URL      the control-node emulator's introspect URL [NETSCALE_SIM_INTROSPECT_URL]
 *   --local-address ADDR  this router's address (Local:, Router ID) [127.0.0.1]
 *   --asn N               this router's AS [64512]
 *   --peer-name NAME      its bgp-router name: the session comes up only once the control node has a
 *                         router-type bgp-router of that name (as provision_mx.py makes); default: always
 *   --timeout-ms N        limit of the request to the control node [5000]
 *   -c "COMMAND"          the command (as `cli -c` on a real router); or the command as arguments
 *
 * Commands: show bgp neighbor [ADDR], show route summary [table NAME] (unique prefixes accepted, pipes
 * ignored). An unknown command prints Junos's syntax error and exits 1; an unreachable control node is a
 * peer that is down (stated on stderr).
 */
import { parseArgs } from 'node:util';
import { CommandError, parseRouterCommand } from './command.ts';
import { routerState } from './router-state.ts';
import { fetchControlNodeView, ViewShapeError } from './router-view.ts';
import { showBgpNeighbor } from './show-bgp-neighbor.ts';
import { showRouteSummary } from './show-route-summary.ts';

const PROG = 'junos-cli (sim)';

function fail(msg: string, code = 2): never {
  process.stderr.write(`${PROG}: ${msg}\n`);
  process.exit(code);
}

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name}: expected an integer in [${min}, ${max}], found "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        introspect: { type: 'string' },
        'local-address': { type: 'string', default: '127.0.0.1' },
        asn: { type: 'string', default: '64512' },
        'peer-name': { type: 'string' },
        'timeout-ms': { type: 'string', default: '5000' },
        c: { type: 'string', short: 'c' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  const introspect = values.introspect ?? process.env.NETSCALE_SIM_INTROSPECT_URL;
  if (!introspect)
    fail('--introspect URL (or NETSCALE_SIM_INTROSPECT_URL) is required: the control node to peer with');
  let peerAddress: string;
  try {
    peerAddress = new URL(introspect).hostname;
  } catch {
    fail(`--introspect: expected a URL like http://127.0.0.1:8083, found "${introspect}"`);
  }
  const text = values.c ?? positionals.join(' ');
  if (!text.trim()) fail('no command: give -c "show route summary" (or the command as arguments)');

  let command;
  try {
    command = parseRouterCommand(text);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    process.stdout.write(`${err.message}\n`);
    process.exit(1);
  }

  const identity = {
    localAddress: values['local-address'],
    asn: integer('asn', values.asn, 1, 4294967295),
    peerName: values['peer-name'],
  };
  let result;
  try {
    result = await fetchControlNodeView(introspect, integer('timeout-ms', values['timeout-ms'], 1, 600_000));
  } catch (err) {
    if (err instanceof ViewShapeError) fail(err.message, 3);
    throw err;
  }
  if (!result.reachable)
    process.stderr.write(`${PROG}: control node unreachable, session down: ${result.error}\n`);
  const state = routerState(identity, result, peerAddress);
  process.stdout.write(
    command.kind === 'bgp-neighbor'
      ? showBgpNeighbor(state, command.peer)
      : showRouteSummary(state, command.table),
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err), 3));
