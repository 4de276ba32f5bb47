import { expect, it } from 'vitest';
import { BgpStressLogParser, parseBgpStressLine } from '../../lib/bgpstress/log-parser.ts';

const L = (fn: string, line: number, text: string) =>
  `2013-08-07 Wed 10:15:21:123.456 PDT  a2s41 [Thread 140, Pid 4242]: BGP_STRESS_TEST_LOG: controller/src/bgp/test/bgp_stress_test.cc:${fn}():${line} ${text}`;

it('turns the real tool lines into typed events', () => {
  expect(parseBgpStressLine(L('BringUpXmppAgents', 2015, 'Starting bringing up 100 agents'))).toEqual({
    kind: 'agents-up-start',
    count: 100,
  });
  expect(
    parseBgpStressLine(
      L('BringUpXmppAgents', 2029, 'Agent agent3.7@vnsw.contrailsystems.com 10.84.41.7 > 10.84.7.42 up'),
    ),
  ).toEqual({
    kind: 'agent-up',
    agent: 'agent3.7@vnsw.contrailsystems.com',
    source: '10.84.41.7',
    server: '10.84.7.42',
  });
  expect(parseBgpStressLine(L('BringUpXmppAgents', 2034, 'End bringing up 100 agents'))).toEqual({
    kind: 'all-agents-up',
    count: 100,
  });
  expect(
    parseBgpStressLine(L('AddAllRoutes', 2432, "Trigger route sends by doing ('touch /tmp/t 1')")),
  ).toEqual({
    kind: 'trigger-wait',
    file: '/tmp/t 1',
  });
  expect(
    parseBgpStressLine(L('AddAllRoutes', 2441, 'Start feeding all routes from all XMPP agents'))?.kind,
  ).toBe('routes-feed-start');
  expect(
    parseBgpStressLine(L('AddAllRoutes', 2444, 'End feeding all routes from all XMPP agents'))?.kind,
  ).toBe('routes-feed-end');
  expect(parseBgpStressLine(L('TestBody', 2656, 'Time taken for initial setup: 01:02:03'))).toEqual({
    kind: 'setup-time',
    seconds: 3723,
  });
  expect(
    parseBgpStressLine(L('Pause', 2628, 'Test PAUSED. Exit (Ctrl-d) python shell to resume'))?.kind,
  ).toBe('paused');
  expect(parseBgpStressLine('Pause after initial setup is complete')?.kind).toBe('paused');
  expect(parseBgpStressLine(L('AddXmppRoute', 1680, 'Feed 12th event: ADD_XMPP_ROUTE'))).toEqual({
    kind: 'random-event',
    index: 12,
    name: 'ADD_XMPP_ROUTE',
  });
  expect(parseBgpStressLine('Invalid nagents. Valid range <0 - 127>')?.kind).toBe('error');
  expect(parseBgpStressLine("  what():  unrecognised option '--bogus'")).toEqual({
    kind: 'error',
    message: "unrecognised option '--bogus'",
  });
  expect(parseBgpStressLine('controller/src/bgp/test/bgp_stress_test.cc:2026: Failure')?.kind).toBe('error');
  expect(
    parseBgpStressLine(L('SubscribeRoutingInstance', 1568, 'Subscribing agent x to instance y')),
  ).toBeUndefined();
  expect(parseBgpStressLine('random text')).toBeUndefined();
});

it('stamps events with the time they were seen and answers first/count', () => {
  let now = 1000;
  const p = new BgpStressLogParser(() => now);
  const seen: string[] = [];
  p.on((e) => seen.push(e.kind));
  p.pushText(`${L('BringUpXmppAgents', 2015, 'Starting bringing up 2 agents')}\n`);
  now = 1500;
  p.push(L('BringUpXmppAgents', 2034, 'End bringing up 2 agents'));
  p.push('[       OK ] BgpStressTestWithParams/BgpStressTest.RandomEvents/0 (12 ms)');
  expect(p.first('all-agents-up')).toMatchObject({ count: 2, atMs: 1500 });
  expect(p.first('agents-up-start')?.atMs).toBe(1000);
  expect(p.count('test-passed')).toBe(1);
  expect(seen).toEqual(['agents-up-start', 'all-agents-up', 'test-passed']);
});
