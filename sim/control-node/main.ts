/**
 * Entry of the emulated control node (launched by sim/bin/contrail-control):
 * XMPP, introspect and config API servers in this one process.
 *
 * Options (each also settable through the env variable in brackets):
 *   --name NAME               control-node name; agents are refused until a bgp-router of that name exists [sim-cn1]
 *   --address ADDR            listen address [127.0.0.1]
 *   --xmpp-port N             [5269]   --introspect-port N [8083]   --config-api-port N [8082]   (0 = any free port)
 *   --hold-time S             XMPP hold time in seconds [90]
 *   --eor-delay-ms N          quiet time after the last subscribe before End-of-RIB [1000]
 *   --provision-self          create this node's own bgp-router at start
 *   --pid-file PATH           write the pid there
 *   --exit-with-parent PID    exit when that process is gone (tests: no orphan if the runner dies)
 *   --fault-drop-routes F     share of route adds never installed   [NETSCALE_SIM_FAULT_DROP_ROUTES]
 *   --fault-slow-ms N         added delay per received route, ms      [NETSCALE_SIM_FAULT_SLOW_MS]
 *   --fault-crash-after-ms N  exit 70 this long after start           [NETSCALE_SIM_FAULT_CRASH_AFTER_MS]
 *   --slowdown F              process agents' input F times slower (demos, regression tests) [1]
 *   --route-cost-us N         route processing cost per received route operation, µs [500]
 *   --config-api-auth U:P     config API requires a Keystone token for user U, password P, from
 *                             POST /v3/auth/tokens on its own port (default: open) [NETSCALE_SIM_CONFIG_API_AUTH]
 *                             (prefer the env variable: a flag's value shows in the process list)
 * Prints one line `contrail-control (sim) ready {json}` with the bound ports once all three listen.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigApiServer, type ConfigApiCredentials } from './config-api-server.ts';
import { ControlNode, DEFAULT_HOLD_TIME_S, DEFAULT_ROUTE_COST_US } from './control-node.ts';
import { IntrospectServer } from './introspect-server.ts';

const PROG = 'contrail-control (sim)';

function fail(msg: string): never {
  process.stderr.write(`${PROG}: ${msg}\n`);
  process.exit(2);
}

function numberOpt(name: string, raw: string | undefined, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    fail(`--${name}: expected a number in [${min}, ${max}], found "${raw}"`);
  return n;
}

/** "user:password" (the password may contain ':'); errors never echo the value. */
function credentialsOpt(raw: string | undefined): ConfigApiCredentials | undefined {
  if (raw === undefined || raw === '') return undefined;
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1)
    fail('--config-api-auth: expected user:password with both parts non-empty (value not shown)');
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        name: { type: 'string', default: 'sim-cn1' },
        address: { type: 'string', default: '127.0.0.1' },
        'xmpp-port': { type: 'string' },
        'introspect-port': { type: 'string' },
        'config-api-port': { type: 'string' },
        'hold-time': { type: 'string' },
        'eor-delay-ms': { type: 'string' },
        'provision-self': { type: 'boolean', default: false },
        'pid-file': { type: 'string' },
        'exit-with-parent': { type: 'string' },
        'fault-drop-routes': { type: 'string' },
        'fault-slow-ms': { type: 'string' },
        'fault-crash-after-ms': { type: 'string' },
        slowdown: { type: 'string' },
        'route-cost-us': { type: 'string' },
        'config-api-auth': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const env = process.env;
  const node = new ControlNode({
    name: values.name,
    address: values.address,
    xmppPort: numberOpt('xmpp-port', values['xmpp-port'], 5269, 0, 65535),
    holdTimeS: numberOpt('hold-time', values['hold-time'], DEFAULT_HOLD_TIME_S, 1, 65535),
    endOfRibDelayMs: numberOpt('eor-delay-ms', values['eor-delay-ms'], 1000, 0, 600_000),
    routeCostUs: numberOpt('route-cost-us', values['route-cost-us'], DEFAULT_ROUTE_COST_US, 0, 1_000_000),
    faults: {
      dropRouteShare: numberOpt(
        'fault-drop-routes',
        values['fault-drop-routes'] ?? env.NETSCALE_SIM_FAULT_DROP_ROUTES,
        0,
        0,
        1,
      ),
      slowMsPerRoute: numberOpt(
        'fault-slow-ms',
        values['fault-slow-ms'] ?? env.NETSCALE_SIM_FAULT_SLOW_MS,
        0,
        0,
        10_000,
      ),
      slowdown: numberOpt('slowdown', values.slowdown, 1, 1, 1000),
    },
  });
  const crashAfter = numberOpt(
    'fault-crash-after-ms',
    values['fault-crash-after-ms'] ?? env.NETSCALE_SIM_FAULT_CRASH_AFTER_MS,
    -1,
    0,
    86_400_000,
  );
  const introspect = new IntrospectServer(node);
  const configApi = new ConfigApiServer(
    node.config,
    credentialsOpt(values['config-api-auth'] ?? env.NETSCALE_SIM_CONFIG_API_AUTH),
  );
  try {
    await configApi.start(
      values.address,
      numberOpt('config-api-port', values['config-api-port'], 8082, 0, 65535),
    );
    await introspect.start(
      values.address,
      numberOpt('introspect-port', values['introspect-port'], 8083, 0, 65535),
    );
    await node.start();
  } catch (err) {
    fail(`cannot listen: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (values['provision-self']) {
    node.config.createBgpRouter({
      fq_name: ['default-domain', 'default-project', 'ip-fabric', '__default__', values.name],
      parent_type: 'routing-instance',
      bgp_router_parameters: {
        router_type: 'control-node',
        vendor: 'contrail',
        address: values.address,
        port: 179,
      },
    });
  }
  if (values['pid-file']) writeFileSync(values['pid-file'], `${process.pid}\n`);
  if (crashAfter >= 0) await node.applyFault({ crash: { afterMs: crashAfter, exitCode: 70 } });
  const parent = numberOpt('exit-with-parent', values['exit-with-parent'], 0, 0, 2 ** 22);
  if (parent > 0) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        process.stderr.write(`${PROG}: parent ${parent} gone, exiting\n`);
        process.exit(0);
      }
    }, 1000).unref();
  }
  const ports = {
    pid: process.pid,
    xmppPort: node.xmppPort,
    introspectPort: introspect.port,
    configApiPort: configApi.port,
  };
  process.stdout.write(`${PROG} ready ${JSON.stringify(ports)}\n`);
  const shutdown = (signal: string) => {
    process.stderr.write(`${PROG}: ${signal}, stopping\n`);
    Promise.all([node.stop(), introspect.stop(), configApi.stop()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
