/**
 * bgp_stress_test's options exactly as the real tool declares them (name,
 * value type, default, description, in declaration order), so --help and
 * option errors read like the real binary's boost::program_options output.
 */

export type OptionKind = 'switch' | 'int' | 'uint' | 'ulong' | 'float' | 'string';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  /** Shown as "(=default)" in --help; absent for options without a default. */
  default?: string;
  description: string;
}

const w = (event: string, weight: string): OptionSpec => ({
  name: `weight-${event.toLowerCase().replace(/_/g, '-')}`,
  kind: 'float',
  default: weight,
  description: `Set ${event} event weight`,
});

export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'help', kind: 'switch', description: 'produce help message' },
  { name: 'db-walker-wait-usecs', kind: 'int', default: '0', description: 'set usecs delay in walker cb' },
  {
    name: 'close-from-control-node',
    kind: 'switch',
    description: 'Initiate xmpp session close from control-node',
  },
  {
    name: 'event-proportion',
    kind: 'float',
    default: '0',
    description: 'Proportion of objects for event feed, such as 0.10',
  },
  {
    name: 'feed-events',
    kind: 'string',
    description: 'Input file with a list of events to feed, Use - for stdin',
  },
  { name: 'http-port', kind: 'int', description: 'set http introspect server port number' },
  { name: 'instance-name', kind: 'string', description: 'set instance name string start' },
  { name: 'log-category', kind: 'string', default: '', description: 'set log category' },
  { name: 'log-disable', kind: 'switch', description: 'Disable logging' },
  {
    name: 'log-file',
    kind: 'string',
    default: '<stdout>',
    description: 'Filename for the logs to be written to',
  },
  { name: 'log-file-index', kind: 'uint', default: '10', description: 'Maximum log file roll over index' },
  { name: 'log-file-uniquefy', kind: 'switch', description: 'Use pid to make log-file name unique' },
  {
    name: 'log-file-size',
    kind: 'ulong',
    default: '1073741824',
    description: 'Maximum size of the log file',
  },
  { name: 'log-level', kind: 'string', default: 'SYS_DEBUG', description: 'set log level ' },
  { name: 'log-local-disable', kind: 'switch', description: 'Disable local logging' },
  { name: 'log-trace-enable', kind: 'switch', description: 'Enable logging traces' },
  { name: 'nagents', kind: 'int', default: '1', description: 'set number of xmpp agents' },
  {
    name: 'nevents',
    kind: 'int',
    default: '50',
    description: 'set number of random events to feed, 0 for infinity',
  },
  { name: 'ninstances', kind: 'int', default: '1', description: 'set number of routing instances' },
  { name: 'npeers', kind: 'int', default: '1', description: 'set number of bgp peers' },
  { name: 'nroutes', kind: 'int', default: '1', description: 'set number of routes' },
  { name: 'nsgids', kind: 'int', default: '1', description: 'set number of security-group ids' },
  { name: 'ntargets', kind: 'int', default: '1', description: 'set number of route targets (minium 1)' },
  { name: 'nvms', kind: 'int', default: '0', description: 'set number of VMs (for configuration download)' },
  { name: 'no-enet', kind: 'switch', description: 'Do not add enet routes' },
  { name: 'no-multicast', kind: 'switch', description: 'Do not add multicast routes' },
  { name: 'no-inet6', kind: 'switch', description: 'Do not add ipv6 routes' },
  { name: 'no-verify-routes', kind: 'switch', description: 'Do not verify routes' },
  {
    name: 'no-agents-updates-processing',
    kind: 'switch',
    description: 'Do not store updates received by the mock agents',
  },
  {
    name: 'no-agents-messages-processing',
    kind: 'switch',
    description: 'Do not process messages received by the mock agents',
  },
  // The real tool's description for this switch is a copy-paste slip; kept verbatim.
  { name: 'no-sandesh-server', kind: 'switch', description: 'Do not add multicast routes' },
  { name: 'pause', kind: 'switch', description: 'Pause after initial setup, before injecting events' },
  { name: 'profile-heap', kind: 'switch', description: 'Profile heap memory' },
  {
    name: 'routes-send-trigger',
    kind: 'string',
    default: '',
    description: 'File whose presence triggers the start of routes sending process',
  },
  {
    name: 'wait-for-idle-time',
    kind: 'int',
    default: '30',
    description: 'WaitForIdle() wait time, 0 for no wait',
  },
  w('ADD_BGP_ROUTE', '50'),
  w('DELETE_BGP_ROUTE', '50'),
  // Declared with a capital E in the real tool ("weight-add-xmpp-routE").
  { ...w('ADD_XMPP_ROUTE', '70'), name: 'weight-add-xmpp-routE' },
  w('DELETE_XMPP_ROUTE', '70'),
  w('BRING_UP_XMPP_AGENT', '20'),
  w('BRING_DOWN_XMPP_AGENT', '20'),
  w('CLEAR_XMPP_AGENT', '20'),
  w('SUBSCRIBE_ROUTING_INSTANCE', '20'),
  w('UNSUBSCRIBE_ROUTING_INSTANCE', '20'),
  w('SUBSCRIBE_CONFIGURATION', '20'),
  w('UNSUBSCRIBE_CONFIGURATION', '20'),
  w('ADD_BGP_PEER', '10'),
  w('DELETE_BGP_PEER', '10'),
  w('CLEAR_BGP_PEER', '20'),
  w('ADD_ROUTING_INSTANCE', '30'),
  w('DELETE_ROUTING_INSTANCE', '30'),
  w('ADD_ROUTE_TARGET', '10'),
  w('DELETE_ROUTE_TARGET', '10'),
  w('CHANGE_SOCKET_BUFFER_SIZE', '10'),
  w('SHOW_ALL_ROUTES', '10'),
  { name: 'test-id', kind: 'int', default: '0', description: 'set start xmpp agent id <0 - 15>' },
  {
    name: 'uve-send-msecs',
    kind: 'int',
    default: '10',
    description: 'set periodic uve send time; Use 0 to disable',
  },
  { name: 'xmpp-nexthop', kind: 'string', default: '', description: 'set xmpp route nexthop IP address' },
  { name: 'xmpp-nexthop-vary', kind: 'switch', description: 'Vary nexthop advertised for each route' },
  { name: 'xmpp-port', kind: 'int', description: 'set xmpp server port number' },
  { name: 'xmpp-prefix', kind: 'string', description: 'set xmpp route IP prefix start' },
  {
    name: 'xmpp-prefix-format-large',
    kind: 'switch',
    description: 'Support large number routes per agent (4K - 1), 1024 otherwise',
  },
  { name: 'xmpp-server', kind: 'string', default: '127.0.0.1', description: 'set xmpp server IP address' },
  {
    name: 'xmpp-source',
    kind: 'string',
    default: '127.0.0.1',
    description: 'set xmpp connection source IP address',
  },
  { name: 'xmpp-auth-enabled', kind: 'switch', description: 'Enable/Disable Xmpp Authentication' },
];

export const HELP_CAPTION = [
  '',
  'BgpStressTest',
  '===============',
  'Use this test to stress test control-node in unit-test environment by ',
  'feeding various test events randomly.',
  '',
  'Many events are supported such as add bgp route, add xmpp route, ',
  'bring up/down bgp/xmpp peer, etc.',
  '',
  'By default, test feeds events randomly. To reproduce crashes, ',
  'events can be fed through a file (- for stdin). Simply grep "Feed " from ',
  'the test output, and feed those lines back to replay the events.',
  '',
  'Events can be retrieved from core-file generated from bgp_stress_test',
  'using this bash function.',
  '',
  'get_events () { # Input is the core file',
  '   gdb --batch --eval-command="print BgpStressTestEvent::d_events_played_list_" build/debug/bgp/test/bgp_stress_test $1 | \\grep \\$1 | sed \'s/",\\?/\\n/g\' | \\grep Feed',
  '}',
  'Those events can be played back as shown below.',
  '    get_events() <core-file> | build/debug/bgp/test/bgp_stress_test --feed-events -',
  '',
  'Scaling',
  '=======',
  'Tweak nagents, npeers, nroutes, ninstances, ntargets as desired',
  '',
  'Use --no-agents-updates-processing option',
  'Tune following environment variables: e.g.',
  'TCP_SESSION_SOCKET_BUFFER_SIZE=65536 CONCURRENCY_CHECK_DISABLE=TRUE BGP_KEEPALIVE_SECONDS=30000 XMPP_KEEPALIVE_SECONDS=30000 CONTRAIL_UT_TEST_TIMEOUT=3000 WAIT_FOR_IDLE=320 TASK_UTIL_WAIT_TIME=10000 TASK_UTIL_RETRY_COUNT=250000 BGP_STRESS_TEST_SUITE=1 NO_HEAPCHECK=TRUE LOG_DISABLE=TRUE',
  'Usage',
].join('\n');
