/**
 * The bgp_stress_test sequence in external control-node mode (TEST_P
 * RandomEvents): bring up agents, subscribe, wait for the trigger file, feed
 * routes, verify, pause, random events, delete all routes, tear down. Log
 * lines and gtest banners follow the real tool; source line numbers refer to
 * tf-controller's bgp_stress_test.cc.
 */
import { existsSync, rmSync } from 'node:fs';
import { sleep } from '../clock.ts';
import { agentJid, agentPrefix, agentSource, routingInstanceName, type PrefixPlan } from './tool-naming.ts';
import { formatIpv4, parseIpv4 } from './ipv4.ts';
import { collectionIq, publishRouteIq, subscribeIq, unsubscribeIq, withdrawRouteIq } from '../xmpp/index.ts';
import type { StressOptions } from './stress-options.ts';
import type { ToolLogger } from './tool-logger.ts';
import { SOURCE_FILE } from './tool-logger.ts';
import { XmppAgent } from './xmpp-agent.ts';
import { pickEvent, type StressEvent } from './random-events.ts';

const TEST_NAME = 'BgpStressTestWithParams/BgpStressTest.RandomEvents/0';
/** Bytes queued on one socket before the feeder waits for it to drain. */
const FEED_HIGH_WATER = 1 << 20;
const FIRST_LABEL = 10000;

export interface StressRunIo {
  logger: ToolLogger;
  /** Raw stdout text (gtest banners, failures, the pause message). */
  stdout: (text: string) => void;
  /** Resolves when stdin reaches end of file (the "python shell" exits). */
  stdinClosed: () => Promise<void>;
  /** Aborted on SIGTERM: pending waits end and the run goes straight to withdraw + teardown. */
  stop: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export class StressRun {
  readonly agents: XmppAgent[] = [];
  private failures = 0;
  private readonly plan: PrefixPlan;
  private readonly labels = new Map<XmppAgent, number>();
  private routesFed = false;
  private keepalive: NodeJS.Timeout | undefined;
  private eventCount = 0;
  /** TASK_UTIL_EXPECT_* wait bound: TASK_UTIL_WAIT_TIME (usec) x TASK_UTIL_RETRY_COUNT. */
  private readonly waitMs: number;

  constructor(
    readonly o: StressOptions,
    readonly io: StressRunIo,
  ) {
    this.plan = { testId: o.testId, largeFormat: o.largeFormat, xmppPrefix: o.xmppPrefix || undefined };
    const waitUs = Number(io.env.TASK_UTIL_WAIT_TIME ?? 1000);
    const retries = Number(io.env.TASK_UTIL_RETRY_COUNT ?? 10000);
    this.waitMs = Math.max(1000, (waitUs * retries) / 1000);
  }

  private log(func: string, line: number, text: string): void {
    this.io.logger.debug(func, line, text);
  }

  private out(text: string): void {
    this.io.logger.flush();
    this.io.stdout(text);
  }

  /** A gtest non-fatal failure (the test goes on, the run ends FAILED). */
  private fail(line: number, what: string, message: string): void {
    this.failures++;
    this.out(`${SOURCE_FILE}:${line}: Failure\n${what}\n${message}\n`);
  }

  private get stopped(): boolean {
    return this.io.stop.aborted;
  }

  private instanceNameOf(id: number): string {
    return routingInstanceName(id, this.o.instanceName);
  }

  /** Runs the whole test; resolves with the process exit code. */
  async run(): Promise<number> {
    const t0 = performance.now();
    this.out(
      '[==========] Running 1 test from 1 test case.\n[----------] Global test environment set-up.\n' +
        '[----------] 1 test from BgpStressTestWithParams/BgpStressTest\n' +
        `[ RUN      ] ${TEST_NAME}\n`,
    );
    const startSec = Math.floor(Date.now() / 1000);
    try {
      await this.bringUpAgents();
      await this.addAllRoutes();
      const took = Math.floor(Date.now() / 1000) - startSec;
      this.log('TestBody', 2656, `Time taken for initial setup: ${hhmmss(took)}`);
      await this.pause('Pause after initial setup is complete');
      await this.randomEvents();
      await this.deleteAllRoutes();
    } finally {
      await this.tearDown();
    }
    const ms = Math.round(performance.now() - t0);
    const params = `(${this.o.ninstances}, ${this.o.nroutes}, 0, ${this.o.nagents}, 1, false, false)`;
    const verdict =
      this.failures === 0
        ? `[       OK ] ${TEST_NAME} (${ms} ms)\n`
        : `[  FAILED  ] ${TEST_NAME}, where GetParam() = ${params} (${ms} ms)\n`;
    const tail =
      this.failures === 0
        ? '[  PASSED  ] 1 test.\n'
        : `[  PASSED  ] 0 tests.\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] ${TEST_NAME}, where GetParam() = ${params}\n\n 1 FAILED TEST\n`;
    this.out(
      verdict +
        `[----------] 1 test from BgpStressTestWithParams/BgpStressTest (${ms} ms total)\n\n` +
        '[----------] Global test environment tear-down\n' +
        `[==========] 1 test from 1 test case ran. (${ms} ms total)\n` +
        tail,
    );
    return this.failures === 0 ? 0 : 1;
  }

  private async bringUpAgents(): Promise<void> {
    const o = this.o;
    const port = o.xmppPort ?? 0;
    this.log('BringUpXmppAgents', 2015, `Starting bringing up ${o.nagents} agents`);
    for (let n = 1; n <= o.nagents; n++) {
      const agent = new XmppAgent({
        number: n,
        jid: agentJid(o.testId, n),
        localAddress: agentSource(o.xmppSource, n),
        server: o.xmppServer,
        port,
        processUpdates: !o.noAgentsUpdatesProcessing && !o.noAgentsMessagesProcessing,
        retryMs: 1000,
        onEstablished: (a, reconnect) => {
          if (reconnect) this.replay(a);
        },
        onLost: (a, reason) => {
          this.log('BringDownXmppAgent', 2094, `Agent ${a.toString()} down (${reason})`);
        },
      });
      this.agents.push(agent);
      this.labels.set(agent, FIRST_LABEL);
    }
    // Connect in waves: a listen backlog is finite, and the real tool's
    // connects are spread by its event loop as well.
    const wave = 64;
    for (let i = 0; i < this.agents.length && !this.stopped; i += wave) {
      const slice = this.agents.slice(i, i + wave);
      for (const a of slice) a.sessionUp();
      await Promise.all(slice.map((a) => a.waitEstablished(this.waitMs)));
    }
    let count = 0;
    for (const agent of this.agents) {
      count++;
      if (this.stopped) break;
      await agent.waitEstablished(this.waitMs);
      if (agent.state !== 'established') {
        this.fail(
          2026,
          'Value of: IsAgentEstablished(agent)\n  Actual: false\nExpected: true',
          `Waiting for ${count}: agent ${agent.toString()} to come up` +
            (agent.lastError ? ` (last error: ${agent.lastError})` : ''),
        );
        continue;
      }
      this.log('BringUpXmppAgents', 2029, `Agent ${agent.toString()} up`);
    }
    this.log('BringUpXmppAgents', 2034, `End bringing up ${o.nagents} agents`);
    this.startKeepalives();
  }

  /** Whitespace keepalive every hold/3 on idle sessions (hold 90 s, XMPP_KEEPALIVE_SECONDS overrides). */
  private startKeepalives(): void {
    const holdS = Number(this.io.env.XMPP_KEEPALIVE_SECONDS ?? 90) || 90;
    const everyMs = Math.min(2 ** 31 - 1, (holdS * 1000) / 3);
    this.keepalive = setInterval(() => {
      const now = performance.now();
      for (const a of this.agents) if (now - a.lastWriteMs >= everyMs) a.send(' ');
    }, everyMs);
    this.keepalive.unref();
  }

  private subscribe(agent: XmppAgent, instanceId: number): void {
    if (agent.subscriptions.has(instanceId)) return;
    const name = this.instanceNameOf(instanceId);
    this.log('SubscribeRoutingInstance', 1568, `Subscribing agent ${agent.toString()} to instance ${name}`);
    agent.subscriptions.set(instanceId, name);
    agent.send(subscribeIq(agent.jid, name, instanceId));
  }

  private unsubscribe(agent: XmppAgent, instanceId: number): void {
    const name = agent.subscriptions.get(instanceId);
    if (name === undefined || agent.state !== 'established') return;
    this.log(
      'UnsubscribeRoutingInstance',
      1614,
      `Unsubscribing agent ${agent.toString()} to instance ${name}`,
    );
    agent.subscriptions.delete(instanceId);
    for (const key of agent.published) if (key.startsWith(`${instanceId}:`)) agent.published.delete(key);
    agent.send(unsubscribeIq(agent.jid, name));
  }

  private nexthop(agent: XmppAgent, routeId: number): string {
    const base = this.o.xmppNexthop || agent.opts.localAddress;
    return formatIpv4(parseIpv4(base, 'xmpp-nexthop') + (this.o.xmppNexthopVary ? routeId : 0));
  }

  private routeAddXml(agent: XmppAgent, instanceId: number, routeId: number): string {
    const name = this.instanceNameOf(instanceId);
    const prefix = agentPrefix(this.plan, agent.opts.number, instanceId, routeId);
    const label = this.labels.get(agent) ?? FIRST_LABEL;
    this.labels.set(agent, label + 1);
    agent.published.add(`${instanceId}:${routeId}`);
    return (
      publishRouteIq(agent.jid, name, {
        prefix,
        nextHop: this.nexthop(agent, routeId),
        label,
        encapsulations: ['gre'],
        virtualNetwork: name.split(':').slice(0, 3).join(':'),
      }) + collectionIq(agent.jid, name, prefix, 'associate')
    );
  }

  private routeDeleteXml(agent: XmppAgent, instanceId: number, routeId: number): string {
    const name = this.instanceNameOf(instanceId);
    const prefix = agentPrefix(this.plan, agent.opts.number, instanceId, routeId);
    agent.published.delete(`${instanceId}:${routeId}`);
    return withdrawRouteIq(agent.jid, name, prefix) + collectionIq(agent.jid, name, prefix, 'dissociate');
  }

  private async feedAgent(agent: XmppAgent): Promise<void> {
    if (agent.state !== 'established') return;
    let batch = '';
    for (let i = 1; i <= this.o.ninstances; i++) {
      if (!agent.subscriptions.has(i)) continue;
      for (let r = 0; r < this.o.nroutes; r++) {
        batch += this.routeAddXml(agent, i, r);
        if (batch.length > 64 * 1024) {
          agent.send(batch);
          batch = '';
          if (agent.writableLength > FEED_HIGH_WATER) await agent.drain();
        }
      }
    }
    if (batch) agent.send(batch);
  }

  /** After a reconnect the session state on the control node is gone: subscribe and publish again. */
  private replay(agent: XmppAgent): void {
    const subs = [...agent.subscriptions.keys()];
    const routes = [...agent.published];
    agent.subscriptions.clear();
    agent.published.clear();
    for (const id of subs) this.subscribe(agent, id);
    let batch = '';
    for (const key of routes) {
      const [i, r] = key.split(':').map(Number) as [number, number];
      batch += this.routeAddXml(agent, i, r);
    }
    if (batch) agent.send(batch);
  }

  private async addAllRoutes(): Promise<void> {
    if (this.stopped) return;
    const o = this.o;
    this.log('AddAllRoutes', 2412, 'Start subscribing all XMPP Agents');
    for (const agent of this.agents) {
      if (agent.state !== 'established') continue;
      for (let i = 0; i <= o.ninstances; i++) this.subscribe(agent, i);
    }
    this.log('AddAllRoutes', 2414, 'End subscribing all XMPP Agents');
    this.log('AddAllRoutes', 2424, 'Start injecting BGP and/or XMPP routes');
    this.log('AddAllRoutes', 2426, 'End injecting BGP and/or XMPP routes');

    const trigger = o.routesSendTrigger;
    if (trigger !== '') {
      while (!existsSync(trigger)) {
        if (this.stopped) return;
        this.log('AddAllRoutes', 2432, `Trigger route sends by doing ('touch ${trigger}')`);
        if (!(await this.sleep(3000))) return;
      }
      rmSync(trigger, { force: true });
    }

    this.log('AddAllRoutes', 2441, 'Start feeding all routes from all XMPP agents');
    await this.sleep(10);
    for (const agent of this.agents) {
      if (this.stopped) break;
      await this.feedAgent(agent);
    }
    this.routesFed = true;
    this.log('AddAllRoutes', 2444, 'End feeding all routes from all XMPP agents');
    if (o.noVerifyRoutes || this.stopped) return;

    this.log('AddAllRoutes', 2449, 'Start verifying XMPP Routes at the controller');
    this.log('AddAllRoutes', 2451, 'End verifying XMPP Routes at the controller');
    this.log('AddAllRoutes', 2456, 'Start verifying XMPP routes at the agents');
    await this.verifyAgentRoutes(this.expectedPerInstance());
    this.log('AddAllRoutes', 2459, 'End verifying XMPP routes at the agents');
    this.log('AddAllRoutes', 2461, 'Start verifying XMPP routes nexthops at the agents');
    this.log('AddAllRoutes', 2463, 'End verifying XMPP routes nexthops at the agents');
  }

  /** Distinct prefixes each instance should hold: every agent's, or one shared set with --xmpp-prefix. */
  private expectedPerInstance(): number {
    const up = this.agents.filter((a) => a.state === 'established').length;
    return this.plan.xmppPrefix !== undefined ? (up > 0 ? this.o.nroutes : 0) : up * this.o.nroutes;
  }

  /** VerifyAgentRoutes: every agent holds `expected` routes in each instance 1..n (needs processing on). */
  private async verifyAgentRoutes(expected: number): Promise<void> {
    if (this.o.noAgentsMessagesProcessing || this.o.noAgentsUpdatesProcessing) return;
    const total = () => {
      let sum = 0;
      for (const a of this.agents) {
        if (a.state !== 'established') continue;
        for (let i = 1; i <= this.o.ninstances; i++) sum += a.routeCount(this.instanceNameOf(i));
      }
      return sum;
    };
    const up = this.agents.filter((a) => a.state === 'established').length;
    const want = expected * up * this.o.ninstances;
    const deadline = performance.now() + this.waitMs;
    while (total() !== want && performance.now() < deadline) {
      if (!(await this.sleep(50))) return;
    }
    const got = total();
    if (got !== want) {
      this.fail(
        1862,
        `Value of: GetAllAgentRouteCount(nagents, ninstances)\n  Actual: ${got}\nExpected: expected\nWhich is: ${want}`,
        'Wait until all routes are received at the agents',
      );
    }
  }

  /** Pause(): logs the PAUSED line always; with --pause holds until stdin closes (or SIGTERM). */
  private async pause(message: string): Promise<void> {
    this.log('Pause', 2628, 'Test PAUSED. Exit (Ctrl-d) python shell to resume');
    this.log('Pause', 2629, `${message}\n`);
    if (!this.o.pause || this.stopped) return;
    // The real tool writes the message without a newline; a newline lets line readers see it.
    this.out(`${message}\n`);
    await Promise.race([this.io.stdinClosed(), this.abortPromise()]);
  }

  private async randomEvents(): Promise<void> {
    const o = this.o;
    const limit = o.nevents;
    // nevents=0 ("forever") ends on SIGTERM; when nothing applies any more
    // (e.g. no agent up) the loop gives up instead of spinning.
    let idleDraws = 0;
    while (!this.stopped && (limit === 0 || this.eventCount < limit) && idleDraws < 10_000) {
      const ev = pickEvent(o.eventWeights);
      if (await this.applyEvent(ev)) {
        idleDraws = 0;
        this.log(eventFunction(ev), 2700, `Feed ${this.eventCount++}th event: ${ev}`);
        if (!(await this.sleep(1))) return;
      } else {
        idleDraws++;
      }
    }
  }

  /** Applies one event in external mode; false when the event does not apply here (not counted). */
  private async applyEvent(ev: StressEvent): Promise<boolean> {
    const o = this.o;
    const agent = this.agents[Math.floor(Math.random() * this.agents.length)];
    if (!agent) return false;
    const instanceId = 1 + Math.floor(Math.random() * Math.max(1, o.ninstances));
    const routeId = Math.floor(Math.random() * Math.max(1, o.nroutes));
    const up = agent.state === 'established';
    switch (ev) {
      case 'ADD_XMPP_ROUTE':
        if (!up || !o.ninstances || !o.nroutes || !agent.subscriptions.has(instanceId)) return false;
        agent.send(this.routeAddXml(agent, instanceId, routeId));
        return true;
      case 'DELETE_XMPP_ROUTE':
        if (!up || !agent.published.has(`${instanceId}:${routeId}`)) return false;
        agent.send(this.routeDeleteXml(agent, instanceId, routeId));
        return true;
      case 'BRING_DOWN_XMPP_AGENT':
      case 'CLEAR_XMPP_AGENT':
        if (!up) return false;
        await agent.sessionDown();
        if (ev === 'CLEAR_XMPP_AGENT') agent.sessionUp();
        return true;
      case 'BRING_UP_XMPP_AGENT':
        if (agent.state !== 'down') return false;
        agent.sessionUp();
        return true;
      case 'SUBSCRIBE_ROUTING_INSTANCE':
        if (!up || agent.subscriptions.has(instanceId)) return false;
        this.subscribe(agent, instanceId);
        return true;
      case 'UNSUBSCRIBE_ROUTING_INSTANCE':
        if (!up || !agent.subscriptions.has(instanceId)) return false;
        this.unsubscribe(agent, instanceId);
        return true;
      default:
        // BGP peers, configuration, instances and targets belong to the
        // embedded control node, which does not exist in external mode.
        return false;
    }
  }

  /** DeleteAllRoutes: withdraw everything still published, verify, unsubscribe. */
  private async deleteAllRoutes(): Promise<void> {
    for (const agent of this.agents) {
      if (agent.state !== 'established') continue;
      let batch = '';
      for (const key of [...agent.published]) {
        const [i, r] = key.split(':').map(Number) as [number, number];
        batch += this.routeDeleteXml(agent, i, r);
        if (batch.length > 64 * 1024) {
          agent.send(batch);
          batch = '';
          if (agent.writableLength > FEED_HIGH_WATER) await agent.drain();
        }
      }
      if (batch) agent.send(batch);
    }
    if (this.routesFed && !this.o.noVerifyRoutes && !this.stopped) await this.verifyAgentRoutes(0);
    for (const agent of this.agents) {
      for (let i = 0; i <= this.o.ninstances; i++) this.unsubscribe(agent, i);
    }
  }

  /** AgentCleanup: close every session (flushing what was written), no reconnects. */
  private async tearDown(): Promise<void> {
    clearInterval(this.keepalive);
    await Promise.all(this.agents.map((a) => a.drain()));
    await Promise.all(this.agents.map((a) => a.sessionDown()));
    for (const a of this.agents) this.log('BringDownXmppAgents', 2094, `Agent ${a.toString()} down`);
  }

  /** Sleeps; false when interrupted by SIGTERM. */
  private async sleep(ms: number): Promise<boolean> {
    try {
      await sleep(ms, this.io.stop);
      return true;
    } catch {
      return false;
    }
  }

  private abortPromise(): Promise<void> {
    return new Promise((resolve) => {
      if (this.io.stop.aborted) resolve();
      this.io.stop.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

/** The function that logs an event in the real tool: ADD_XMPP_ROUTE -> AddXmppRoute. */
function eventFunction(ev: StressEvent): string {
  return ev
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** boost::posix_time::time_duration text for whole seconds: HH:MM:SS. */
export function hhmmss(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return [h, m, s].map((v) => String(v).padStart(2, '0')).join(':');
}
