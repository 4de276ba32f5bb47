import { describe, expect, it } from 'vitest';
import { vsperfConfig, writeVsperfConfig } from '../../lib/trafficgen/moongen/config-writer.ts';
import { readVsperfConfig, readLuaTable } from '../../lib/trafficgen/moongen/lua-table-reader.ts';
import { trafficSpec } from '../../lib/trafficgen/traffic.ts';

const run = {
  ports: [0, 1],
  linkGbps: 25,
  startRateMpps: 12.5,
  oneShot: false,
  searchRunTimeS: 60,
  validationRunTimeS: 30,
  acceptableLossPct: 0.001,
  rateGranularityMpps: 0.05,
};

describe('MoonGen config writer', () => {
  it('round-trips every key through the Lua table reader', () => {
    const traffic = trafficSpec({
      bidir: true,
      multistream: 1024,
      streamType: 'L4',
      l2: {
        frameSize: 128,
        srcMac: ['00:11:22:33:44:55', '00:11:22:33:44:66'],
        dstMac: ['aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02'],
      },
      l3: { srcIp: '10.1.0.1', dstIp: '10.2.0.1' },
      vlan: { enabled: true, id: 100 },
    });
    const cfg = vsperfConfig(traffic, run);
    const back = readVsperfConfig(writeVsperfConfig(cfg));
    expect(back).toEqual({ ...cfg });
    expect(back).toMatchObject({
      testType: 'throughput',
      frameSize: 128,
      startRate: 12.5,
      runBidirec: true,
      nrFlows: 1024,
      rate_granularity: 0.05,
      linkSpeed: 25e9,
      flowMods: ['srcPort', 'dstPort'],
      // Per-device tables indexed like ports, the way the script reads them.
      srcMacs: ['00:11:22:33:44:55', '00:11:22:33:44:66'],
      dstMacs: ['aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02'],
      vlanIds: [100, 100],
    });
    for (const singular of ['srcMac', 'dstMac', 'vlanId']) expect(back).not.toHaveProperty(singular);
  });

  it('leaves MACs and VLANs out when not given, so the script takes them from the NICs', () => {
    const text = writeVsperfConfig(vsperfConfig(trafficSpec(), { ...run, oneShot: true }));
    const back = readVsperfConfig(text);
    expect(back.oneShot).toBe(true);
    expect(back).not.toHaveProperty('srcMacs');
    expect(back).not.toHaveProperty('vlanIds');
  });

  it('repeats a single MAC for every port and rejects a count that matches no port list', () => {
    const one = vsperfConfig(trafficSpec({ l2: { frameSize: 64, srcMac: ['00:00:00:00:00:01'] } }), run);
    expect(one.srcMacs).toEqual(['00:00:00:00:00:01', '00:00:00:00:00:01']);
    const three = trafficSpec({
      l2: { frameSize: 64, dstMac: ['00:00:00:00:00:01', '00:00:00:00:00:02', '00:00:00:00:00:03'] },
    });
    expect(() => vsperfConfig(three, run)).toThrow(
      /traffic\.l2\.dstMac: expected 1 value or one per port \(2 ports\), found 3/,
    );
  });

  it('rejects bad traffic values by key', () => {
    expect(() => trafficSpec({ frameRatePct: 0 })).toThrow(
      /traffic\.frameRatePct: expected a % in \(0, 100\], found 0/,
    );
    expect(() => trafficSpec({ l2: { frameSize: 63 } })).toThrow(/traffic\.l2\.frameSize/);
    expect(() => trafficSpec({ l2: { frameSize: 64, srcMac: ['nope'] } })).toThrow(/traffic\.l2\.srcMac/);
  });
});

/**
 * The names trafficgen.lua (atheurer/lua-trafficgen, the newest script; examples/opnfv-vsperf.lua reads
 * a subset) reads from the VSPERF table: its getTestParams() keys, and the flowMods values its
 * adjustHeaders() acts on. A key or flow modifier outside these is silently ignored by the script.
 */
const SCRIPT_KEYS = new Set([
  'testType',
  'frameSize',
  'startRate',
  'minRate',
  'runBidirec',
  'nrFlows',
  'latencyRunTime',
  'searchRunTime',
  'validationRunTime',
  'acceptableLossPct',
  'rate_granularity',
  'ports',
  'flowMods',
  'srcIp',
  'dstIp',
  'srcPort',
  'dstPort',
  'srcMacs',
  'dstMacs',
  'vlanIds',
  'oneShot',
  'negativeLossRetry',
  'mppsPerQueue',
  'queuesPerTask',
  'linkSpeed',
  'loggingLevel',
]);
const SCRIPT_FLOW_MODS = new Set(['srcPort', 'dstPort', 'srcIp', 'dstIp', 'srcMac', 'dstMac']);

describe('MoonGen config as the script reads it', () => {
  it.each([
    ['L2', ['srcMac', 'dstMac']],
    ['L3', ['srcIp', 'dstIp']],
    ['L4', ['srcPort', 'dstPort']],
  ] as const)('stream type %s writes only keys and flow modifiers the script acts on', (streamType, mods) => {
    const traffic = trafficSpec({ streamType, vlan: { enabled: true, id: 7 } });
    const cfg = readVsperfConfig(writeVsperfConfig(vsperfConfig(traffic, run)));
    for (const key of Object.keys(cfg)) expect(SCRIPT_KEYS, `key ${key}`).toContain(key);
    expect(cfg.flowMods).toEqual(mods);
    for (const m of cfg.flowMods as string[]) expect(SCRIPT_FLOW_MODS).toContain(m);
  });

  it('L2: the MAC flows start from per-device srcMacs/dstMacs tables, Lua-indexed like ports', () => {
    const traffic = trafficSpec({
      streamType: 'L2',
      bidir: true,
      l2: {
        frameSize: 64,
        srcMac: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
        dstMac: ['02:00:00:00:00:02', '02:00:00:00:00:01'],
      },
    });
    const text = writeVsperfConfig(vsperfConfig(traffic, run));
    // The script reads testParams.srcMacs[i] for the i-th entry of ports (1-based): a Lua list in ports order.
    expect(text).toContain('  srcMacs = {"02:00:00:00:00:01", "02:00:00:00:00:02"},\n');
    expect(text).toContain('  dstMacs = {"02:00:00:00:00:02", "02:00:00:00:00:01"},\n');
    expect(text).toContain('  flowMods = {"srcMac", "dstMac"},\n');
    const cfg = readVsperfConfig(text);
    expect(cfg.ports).toEqual([0, 1]);
    // vsperf's singular keys, which no script reads, are never written.
    for (const singular of ['srcMac', 'dstMac', 'vlanId']) expect(cfg).not.toHaveProperty(singular);
  });
});

describe('Lua table reader', () => {
  it('reads comments, both quote styles, escapes, [key] = value and mixed tables', () => {
    expect(
      readLuaTable(
        `{ -- comment\n a = 'x\\'y', ["b"] = 0x10, --[[ block ]] c = { 1, 2; 3 }, d = nil, e = -1.5e3 }`,
      ),
    ).toEqual({
      a: "x'y",
      b: 16,
      c: [1, 2, 3],
      d: null,
      e: -1500,
    });
    expect(readLuaTable('{ "p", k = true }')).toEqual({ 1: 'p', k: true });
    expect(readVsperfConfig('VSPERF({ frameSize = 64 })')).toEqual({ frameSize: 64 });
  });

  it('reports syntax errors with file and line', () => {
    expect(() => readVsperfConfig('VSPERF {\n frameSize = 64\n ports = {0,1}\n}', 'cfg.lua')).toThrow(
      /^cfg\.lua:3: expected "," or "}" in table/,
    );
    expect(() => readVsperfConfig('RUN { }', 'cfg.lua')).toThrow(
      /cfg\.lua:1: expected the call "VSPERF \{ \.\.\. \}", found RUN/,
    );
  });
});
