/**
 * Shape of a lab file (labs/*.yaml). Hosts are declared once by name; roles
 * refer to them by name, so one machine can carry several roles (the seed's
 * a2s40 is config API server and control node). Secrets are written as
 * ${ENV_VAR} references and resolved from the environment by the loader.
 */
import { z } from 'zod';

// A port may come from a ${VAR} reference (a string of digits after interpolation).
const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number().int().min(1).max(65535),
);
const hostRef = z.string().min(1);

export const authSchema = z.union([
  z.strictObject({ password: z.string() }),
  z.strictObject({ keyFile: z.string().min(1), passphrase: z.string().optional() }),
  z.strictObject({ agent: z.union([z.literal(true), z.string().min(1)]) }),
]);

/** strict: key must be in known_hosts; accept-new: unknown keys are added, changed keys fail; off: no check. */
export const knownHostsPolicySchema = z.enum(['strict', 'accept-new', 'off']);

export const hostSchema = z.strictObject({
  /** local: run on this machine (embedded lab); ssh: a real machine. */
  transport: z.enum(['ssh', 'local']).default('ssh'),
  address: z.string().min(1),
  port: port.default(22),
  user: z.string().min(1).optional(),
  auth: authSchema.optional(),
  knownHosts: knownHostsPolicySchema.optional(),
  knownHostsFile: z.string().optional(),
  /** Name of another host in this file to tunnel through. */
  jump: hostRef.optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  keepaliveIntervalMs: z.number().int().nonnegative().optional(),
});

const endpointUrl = z.url();

export const controlNodeSchema = z.strictObject({
  host: hostRef,
  /** Address agents connect to for XMPP (defaults to the host's address). */
  xmppAddress: z.string().optional(),
  xmppPort: port.default(5269),
  introspect: endpointUrl,
  /** How to find the control-node process to sample: a pidfile path or a process name for pgrep -x. */
  process: z
    .strictObject({ pidFile: z.string().optional(), name: z.string().optional() })
    .default({ name: 'contrail-control' }),
  restartCommand: z.string().default('systemctl restart contrail-control'),
  stopCommand: z.string().optional(),
  versionCommand: z.string().default('contrail-version contrail-control'),
  /** File the restart reads control-node env vars from (cn_env in params.ini). */
  envFile: z.string().optional(),
  /** Host command that reboots the node (stressfactr reboot_cmd). */
  rebootCommand: z.string().optional(),
  /** Its bgp-router object (provision_control.py); provisioned by `netscale lab provision` / the bgpRouters fixture. */
  bgpRouter: z
    .strictObject({
      /** bgp-router name [the lab host's name]. */
      name: z.string().min(1).optional(),
      /** Peering address [the lab host's address]. */
      address: z.string().min(1).optional(),
      asn: z.number().int().min(1).max(4294967295).default(64512),
      families: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
});

export const configApiSchema = z
  .strictObject({
    host: hostRef,
    url: endpointUrl,
    /** Keystone user (with authUrl); password as ${VAR}. */
    username: z.string().optional(),
    password: z.string().optional(),
    /** Contrail fq_name domain and project of the objects (not Keystone names). */
    domain: z.string().default('default-domain'),
    project: z.string().default('default-project'),
    /**
     * Keystone v3 endpoint (e.g. http://10.84.7.40:5000) for a config API that runs with
     * Keystone auth: a token from POST <authUrl>/v3/auth/tokens goes with every call.
     * Absent: calls carry no token (a config API with auth=noauth).
     */
    authUrl: endpointUrl.optional(),
    /** Keystone project the token is scoped to [admin]. */
    authProject: z.string().min(1).optional(),
    /** Keystone domain of the user and of authProject [Default]. */
    authDomain: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.authUrl === undefined) return;
    for (const key of ['username', 'password'] as const)
      if (!c[key])
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected the Keystone ${key} because authUrl is set`,
        });
  });

export const testServerSchema = z.strictObject({
  host: hostRef,
  bgpStressPath: z.string().default('bgp_stress_test'),
  workDir: z.string().default('/tmp/netscale'),
  /** First agent source address; derived per server when absent (see bgpstress planner). */
  xmppSource: z.string().optional(),
  /** Add secondary addresses for the agents on the interface that routes to the control node. */
  addSecondaryAddresses: z.boolean().default(true),
  /**
   * Subnet of the agents' addresses (xmpp_src_prefix_len), default /16. Without xmppSource a server
   * takes the 1/256 of it that its address's last octet picks (/8../24); with xmppSource, the
   * addresses from there to the subnet's end (/8../30).
   */
  sourcePrefixLength: z.number().int().min(0).max(32).optional(),
  /**
   * Scenario servers given by an address inside this CIDR run on this host with these settings, each
   * with its own derived source slice (the embedded lab: every 127.x address is this machine).
   */
  addressPool: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'a CIDR like 127.0.0.0/8')
    .optional(),
});

export const routerSchema = z.strictObject({
  host: hostRef,
  vendor: z.enum(['junos']).default('junos'),
  showBgpNeighborCommand: z.string().default('cli -c "show bgp neighbor"'),
  bgpUpState: z.string().default('Established'),
  /** Counts the routes the router has (Junos `show route summary`), polled during a run. */
  showRouteSummaryCommand: z.string().default('cli -c "show route summary"'),
  /** Table whose route count is the router's view of the load. */
  routeTable: z.string().default('bgp.l3vpn.0'),
  /** Its bgp-router object (provision_mx.py), peering with every control node. */
  bgpRouter: z
    .strictObject({
      /** bgp-router name, e.g. rtr-mx80-1. */
      name: z.string().min(1),
      /** Peering address [the lab host's address]. */
      address: z.string().min(1).optional(),
      asn: z.number().int().min(1).max(4294967295).default(64512),
      vendor: z.string().min(1).default('mx'),
      families: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
});

/**
 * kind: netns: the data plane in network namespaces on the generator's host (lib/dataplane; root needed).
 * The namespaces are created for the run and deleted after it, also when the run is killed.
 */
export const netnsDataplaneSchema = z.strictObject({
  /** How the DUT namespace forwards: kernel router (two subnets) or a Linux bridge. */
  dut: z.enum(['router', 'bridge']).default('router'),
  /** Shape the DUT's egress (both directions) to this rate, Mbit/s with L1 overhead; absent: unshaped. */
  rateLimitMbit: z.number().positive().optional(),
  shaper: z.enum(['tbf', 'htb']).default('tbf'),
  /** Nominal link speed for line-rate %, Mbit/s (veth has none); the searches' top rate. */
  linkSpeedMbit: z.number().positive(),
  /** Trials last at most this long, s (scenarios sized for hardware ask for 60 s). */
  maxTrialSeconds: z.number().positive().default(1),
  /** Shortfall of the achieved rate below the offered rate that is the sender's own timing noise, %. */
  pacingTolerancePct: z.number().min(0).max(50).default(1),
  /** Latency probes per second and direction, when latency is measured. */
  probesPerSecond: z.number().positive().default(1000),
  /** Unpaced send time per frame size that calibrates the generator alone, s. */
  calibrationSeconds: z.number().positive().default(0.3),
});

export const trafficGeneratorSchema = z
  .strictObject({
    host: hostRef,
    kind: z.enum(['moongen', 'netns']).default('moongen'),
    /** MoonGen checkout: the script and build live below it. kind netns: the generator's work dir. */
    baseDir: z.string(),
    binary: z.string().default('./build/MoonGen'),
    script: z.string().default('examples/opnfv-vsperf.lua'),
    ports: z.array(z.number().int().nonnegative()).min(1).default([0, 1]),
    linkSpeedGbps: z
      .union([z.literal(1), z.literal(10), z.literal(25), z.literal(40), z.literal(100)])
      .default(10),
    /** Seconds MoonGen may run beyond the requested trial time before it is killed. */
    timeoutSlackSeconds: z.number().positive().default(300),
    /**
     * The base dir is the MoonGen emulator's (embedded lab): laid out per worker before use, with the DUT
     * model the spec asks for.
     */
    emulated: z.boolean().default(false),
    /** kind: netns only (required there): the namespaces, the DUT and its link speed. */
    netns: netnsDataplaneSchema.optional(),
  })
  .superRefine((tg, ctx) => {
    if (tg.kind === 'netns' && !tg.netns) {
      ctx.addIssue({
        code: 'custom',
        path: ['netns'],
        message: 'expected a netns section (dut, linkSpeedMbit, ...) for kind: netns',
      });
    }
    if (tg.kind !== 'netns' && tg.netns) {
      ctx.addIssue({
        code: 'custom',
        path: ['netns'],
        message: `only for kind: netns, found kind: ${tg.kind}`,
      });
    }
  });

/**
 * The embedded lab: which lab host runs the emulated control node and where its state lives. Its real
 * endpoints reach the rest of the file as ${NETSCALE_SIM_*} variables (lib/lab/embedded-control-node.ts).
 */
export const embeddedLabSchema = z.strictObject({
  host: hostRef.default('local'),
  address: z.string().default('127.0.0.1'),
  stateDir: z.string().default('.netscale/sim'),
  /** Fixed ports of `netscale lab up`; a run without it takes free ports. */
  xmppPort: port,
  introspectPort: port,
  configApiPort: port,
});

export const labSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Defaults merged into every host entry. */
    defaults: hostSchema.partial().omit({ address: true }).default({}),
    hosts: z.record(z.string().min(1), hostSchema.partial({ transport: true, port: true })),
    /** The BGP suites need one; a data-plane-only lab (labs/netns.yaml) has none. */
    controlNodes: z.array(controlNodeSchema).default([]),
    configApi: configApiSchema.optional(),
    testServers: z.array(testServerSchema).default([]),
    routers: z.array(routerSchema).default([]),
    trafficGenerators: z.array(trafficGeneratorSchema).default([]),
    /** Embedded lab only: how to start the emulated control node (see labs/sim.yaml). */
    sim: embeddedLabSchema.optional(),
    /**
     * Directory on controlNodes[0]'s host (else trafficGenerators[0]'s) where runs keep the lab lock and the
     * record of what they changed on the lab (so a crashed run's changes can be reverted by the next run or
     * `netscale lab restore`).
     */
    stateDir: z.string().min(1).default('/var/tmp/netscale'),
  })
  .superRefine((lab, ctx) => {
    if (lab.controlNodes.length === 0 && lab.trafficGenerators.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['controlNodes'],
        message: 'expected at least one control node or traffic generator (a lab tests something)',
      });
  });

export type AuthConfig = z.infer<typeof authSchema>;
export type HostConfig = z.infer<typeof hostSchema>;
export type ControlNodeConfig = z.infer<typeof controlNodeSchema>;
export type ConfigApiConfig = z.infer<typeof configApiSchema>;
export type TestServerConfig = z.infer<typeof testServerSchema>;
export type RouterConfig = z.infer<typeof routerSchema>;
export type TrafficGeneratorConfig = z.infer<typeof trafficGeneratorSchema>;
export type NetnsDataplaneConfig = z.infer<typeof netnsDataplaneSchema>;
export type LabFile = z.infer<typeof labSchema>;
export type EmbeddedLabConfig = z.infer<typeof embeddedLabSchema>;
