/**
 * The secondary-address commands on a real Linux network stack: two network
 * namespaces made here (test server and control node) joined by a veth pair
 * on a private subnet that exists only inside them. The commands from
 * lib/bgpstress/secondary-addresses.ts run in the test-server namespace
 * through a Host, exactly as the bgp-stress fixture runs them on a lab
 * machine; traffic is a few bytes of TCP between the two namespaces.
 */
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProcessHandle } from '../../lib/hosts/host.ts';
import { shellQuote } from '../../lib/hosts/shell-quote.ts';
import {
  parseRouteGet,
  routeGetCommand,
  routeToControlNode,
  secondaryAddressPlan,
  type AddressCommand,
} from '../../lib/bgpstress/secondary-addresses.ts';
import { revertChange } from '../../lib/lab/revert-change.ts';
import { NetnsHost } from '../../lib/hosts/netns-host.ts';

// Creating namespaces needs root and an iproute2 with netns support; CI runs as root, so it runs there.
const netnsUsable =
  process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;

const TS_NS = `ns-ts-${process.pid}`;
const CN_NS = `ns-cn-${process.pid}`;
const TS_IF = 'veth-ts';
const CN_IF = 'veth-cn';
// The interface has a /24; the agents get a /16 slice (as plan.ts cuts it for a server ending in .41),
// so the first agent address becomes that /16's primary: the case where removal order matters.
const TS_ADDR = '10.77.7.41';
const CN_ADDR = '10.77.7.42';
const PREFIX_LEN = 16;
const AGENTS = Array.from({ length: 24 }, (_, i) => `10.77.41.${i + 1}`);
const NO_ROUTE = '10.99.0.1';
const STEP_MS = 5_000;

/** Listens on one address, reports the first peer, answers with its own address, then exits. */
const LISTENER = `
const net = require('node:net');
const server = net.createServer((s) => {
  console.log('peer ' + s.remoteAddress);
  s.end('served by ' + s.localAddress + '\\n');
  server.close();
});
server.listen(0, process.argv[1], () => console.log('listening ' + server.address().port));
// Ends itself should no one connect: a bound on its life, not a wait.
setTimeout(() => process.exit(3), ${2 * STEP_MS}).unref();
`;

/** Connects (optionally from a given local address) and prints its local address and the answer. */
const CLIENT = `
const net = require('node:net');
const [host, port, localAddress] = process.argv.slice(1);
const s = net.connect(localAddress ? { host, port: Number(port), localAddress } : { host, port: Number(port) });
let local = '', got = '';
s.setEncoding('utf8');
s.on('connect', () => (local = s.localAddress));
s.on('data', (d) => (got += d));
s.on('end', () => console.log('from ' + local + ' ' + got.trim()));
s.on('error', (e) => { console.error(e.message); process.exit(1); });
// Gives up if the listener never answers: a bound on its life, not a wait.
setTimeout(() => { console.error('no answer'); process.exit(2); }, ${STEP_MS}).unref();
`;

const node = (script: string, ...args: string[]) =>
  [process.execPath, '-e', script, ...args].map(shellQuote).join(' ');

describe.skipIf(!netnsUsable)('secondary addresses in network namespaces', () => {
  const runTag = process.env.NETSCALE_RUN_ID ?? `netns-${process.pid}`;
  const ts = new NetnsHost(TS_NS, runTag);
  const cn = new NetnsHost(CN_NS, runTag);
  const started = new Set<ProcessHandle>();

  const ip = (...args: string[]) => execa('ip', args, { timeout: STEP_MS });

  beforeAll(async () => {
    await ip('netns', 'add', TS_NS);
    await ip('netns', 'add', CN_NS);
    // Made inside the test-server namespace, peer moved straight into the control-node one: the
    // machine's own namespace never holds either end.
    await ip('-n', TS_NS, 'link', 'add', TS_IF, 'type', 'veth', 'peer', 'name', CN_IF, 'netns', CN_NS);
    await ip('-n', TS_NS, 'address', 'add', `${TS_ADDR}/24`, 'dev', TS_IF);
    // The control node sees the agents' whole /16 on its link, as on a lab's flat network.
    await ip('-n', CN_NS, 'address', 'add', `${CN_ADDR}/16`, 'dev', CN_IF);
    for (const [ns, dev] of [
      [TS_NS, TS_IF],
      [CN_NS, CN_IF],
      [TS_NS, 'lo'],
      [CN_NS, 'lo'],
    ] as const)
      await ip('-n', ns, 'link', 'set', dev, 'up');
  });

  afterAll(async () => {
    await Promise.all([...started].map((p) => p.stop({ graceMs: 1000 })));
    // Deleting a namespace also deletes the veth pair and every address on it.
    for (const ns of [TS_NS, CN_NS])
      await execa('ip', ['netns', 'del', ns], { reject: false, timeout: STEP_MS });
  });

  /** IPv4 addresses (address/len) per interface, from `ip -o addr show`. */
  async function addresses(host: NetnsHost): Promise<Map<string, string[]>> {
    const r = await host.exec('ip -o -4 addr show', { timeoutMs: STEP_MS });
    expect(r.code, r.stderr).toBe(0);
    const byDevice = new Map<string, string[]>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(line);
      if (m) byDevice.set(m[1]!, [...(byDevice.get(m[1]!) ?? []), m[2]!]);
    }
    return byDevice;
  }

  async function run(c: AddressCommand) {
    return ts.exec(c.command, { input: c.input, timeoutMs: STEP_MS });
  }

  async function listen(host: NetnsHost, address: string): Promise<{ port: number; proc: ProcessHandle }> {
    const proc = await host.spawn(node(LISTENER, address), { name: `listener@${host.name}` });
    started.add(proc);
    const port = await vi.waitFor(
      () => {
        const m = /^listening (\d+)$/m.exec(proc.output());
        if (!m)
          throw new Error(`listener on ${address} in ${host.name}: not listening yet: ${proc.output()}`);
        return Number(m[1]);
      },
      { timeout: STEP_MS, interval: 20 },
    );
    return { port, proc };
  }

  async function connect(host: NetnsHost, address: string, port: number, from?: string) {
    return host.exec(node(CLIENT, address, String(port), ...(from ? [from] : [])), {
      timeoutMs: 2 * STEP_MS,
    });
  }

  it('finds the interface that routes to the control node', async () => {
    await expect(routeToControlNode(ts, CN_ADDR)).resolves.toEqual({ device: TS_IF, source: TS_ADDR });
  });

  it('adds the agent addresses on that interface, carries TCP both ways, and removes them', async () => {
    const route = await routeToControlNode(ts, CN_ADDR);
    const plan = secondaryAddressPlan({ route, addresses: AGENTS, prefixLen: PREFIX_LEN });
    const agentCidrs = AGENTS.map((a) => `${a}/${PREFIX_LEN}`);

    for (const c of plan.add) {
      const r = await run(c);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const added = await addresses(ts);
    expect(added.get(TS_IF)).toEqual([`${TS_ADDR}/24`, ...agentCidrs]);
    expect(added.get('lo')).toEqual(['127.0.0.1/8']);

    // The control node reaches an agent address (a listener bound to it in the test server).
    const agent = AGENTS[AGENTS.length - 1]!;
    const onAgent = await listen(ts, agent);
    const inbound = await connect(cn, agent, onAgent.port);
    expect(inbound.stdout, inbound.stderr).toBe(`from ${CN_ADDR} served by ${agent}\n`);
    expect(await vi.waitFor(() => onAgent.proc.wait(), { timeout: STEP_MS })).toEqual({
      code: 0,
      signal: null,
    });
    expect(onAgent.proc.output()).toContain(`peer ${CN_ADDR}`);

    // A connection bound to another agent address reaches the control node, which sees that source.
    const source = AGENTS[0]!;
    const onCn = await listen(cn, CN_ADDR);
    const outbound = await connect(ts, CN_ADDR, onCn.port, source);
    expect(outbound.stdout, outbound.stderr).toBe(`from ${source} served by ${CN_ADDR}\n`);
    expect(await vi.waitFor(() => onCn.proc.wait(), { timeout: STEP_MS })).toEqual({
      code: 0,
      signal: null,
    });
    expect(onCn.proc.output()).toContain(`peer ${source}`);

    for (const c of plan.remove) {
      const r = await run(c);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // Only the agents' addresses went; the test server's own address stays.
    expect((await addresses(ts)).get(TS_IF)).toEqual([`${TS_ADDR}/24`]);
    const unbound = await connect(ts, CN_ADDR, onCn.port, source);
    expect(unbound.code).toBe(1);
    expect(unbound.stderr).toMatch(/EADDRNOTAVAIL/);
  });

  it('adding over addresses left by a crashed run succeeds and leaves each address once', async () => {
    const route = await routeToControlNode(ts, CN_ADDR);
    const leftover = secondaryAddressPlan({ route, addresses: AGENTS.slice(0, 10), prefixLen: PREFIX_LEN });
    const plan = secondaryAddressPlan({ route, addresses: AGENTS, prefixLen: PREFIX_LEN });
    for (const c of leftover.add) expect((await run(c)).code).toBe(0);
    for (const c of plan.add) {
      const r = await run(c);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect((await addresses(ts)).get(TS_IF)).toEqual([
      `${TS_ADDR}/24`,
      ...AGENTS.map((a) => `${a}/${PREFIX_LEN}`),
    ]);
    for (const c of plan.remove) expect((await run(c)).code).toBe(0);
    expect((await addresses(ts)).get(TS_IF)).toEqual([`${TS_ADDR}/24`]);
  });

  it('a recorded address change is reverted from the record alone, twice without harm', async () => {
    const route = await routeToControlNode(ts, CN_ADDR);
    for (const c of secondaryAddressPlan({ route, addresses: AGENTS, prefixLen: PREFIX_LEN }).add)
      expect((await run(c)).code).toBe(0);
    expect((await addresses(ts)).get(TS_IF)).toHaveLength(1 + AGENTS.length);
    const change = {
      kind: 'addresses' as const,
      host: 'ts',
      device: route.device,
      addresses: AGENTS,
      prefixLen: PREFIX_LEN,
    };
    const lab = { name: 'netns', hosts: { ts }, controlNodes: [], configApi: undefined };
    await revertChange(lab, change, 'run-1');
    expect((await addresses(ts)).get(TS_IF)).toEqual([`${TS_ADDR}/24`]);
    // What a crashed run's successor does when the first revert already happened.
    await revertChange(lab, change, 'run-1');
    expect((await addresses(ts)).get(TS_IF)).toEqual([`${TS_ADDR}/24`]);
  });

  it('without a route to the control node the error names the test server and the address', async () => {
    await expect(routeToControlNode(ts, NO_ROUTE)).rejects.toThrow(
      new RegExp(
        `^test server ${TS_NS} \\(netns:${TS_NS}\\): secondary addresses: no route to the control node ${NO_ROUTE.replace(/\./g, '\\.')}: .*Network is unreachable`,
      ),
    );
    // The fixture's own path (exec, then parse stdout) also gets the reason, not an empty string.
    const raw = await ts.exec(routeGetCommand(NO_ROUTE), { timeoutMs: STEP_MS });
    expect(() => parseRouteGet(raw.stdout, NO_ROUTE)).toThrow(/Network is unreachable/);
    // The test server's own address routes over lo: nothing to add there.
    await expect(routeToControlNode(ts, TS_ADDR)).rejects.toThrow(
      new RegExp(`^test server ${TS_NS} .*control node ${TS_ADDR.replace(/\./g, '\\.')} is reached over lo`),
    );
  });
});
