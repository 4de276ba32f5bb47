import { describe, expect, it } from 'vitest';
import { readVsperfCfg } from '../../../sim/moongen/vsperf-cfg-reader.ts';
import { vsperfConfig, writeVsperfConfig } from '../../../lib/trafficgen/moongen/config-writer.ts';
import { trafficSpec } from '../../../lib/trafficgen/traffic.ts';

const FILE = 'opnfv-vsperf-cfg.lua';

describe('opnfv-vsperf-cfg.lua as the MoonGen emulator reads it', () => {
  it('reads the VSPERF table: numbers, strings, booleans, lists; comments and nil fields are skipped', () => {
    const cfg = readVsperfCfg(
      [
        '-- vsperf test',
        'VSPERF {',
        '  testType = "throughput", frameSize = 64; startRate = 1.5e1,',
        "  runBidirec = true, oneShot = false, srcIp = '10.0.0.1',",
        '  ports = {0, 1, 2, 3}, linkSpeed = 0x2540BE400, offset = -2, --[[ unused ]] vlanIds = nil,',
        '  ["rate_granularity"] = 0.25,',
        '}',
      ].join('\n'),
      FILE,
    );
    expect(cfg?.list).toEqual([]);
    expect(Object.fromEntries(cfg!.fields)).toEqual({
      testType: 'throughput',
      frameSize: 64,
      startRate: 15,
      runBidirec: true,
      oneShot: false,
      srcIp: '10.0.0.1',
      ports: { list: [0, 1, 2, 3], fields: new Map() },
      linkSpeed: 10e9,
      offset: -2,
      rate_granularity: 0.25,
    });
  });

  it("reads every key of the framework's own config file", () => {
    const written = vsperfConfig(trafficSpec({ bidir: true }), {
      ports: [0, 1],
      linkGbps: 25,
      oneShot: false,
      searchRunTimeS: 20,
      validationRunTimeS: 60,
      acceptableLossPct: 0.001,
    });
    const cfg = readVsperfCfg(writeVsperfConfig(written), FILE);
    expect(cfg?.fields.get('linkSpeed')).toBe(25e9);
    expect(cfg?.fields.get('acceptableLossPct')).toBe(0.001);
    expect(cfg?.fields.get('ports')).toEqual({ list: [0, 1], fields: new Map() });
    expect([...cfg!.fields.keys()].sort()).toEqual(Object.keys(written).sort());
  });

  it('takes the last of several VSPERF calls, with or without parentheses, and none gives undefined', () => {
    expect(
      readVsperfCfg('VSPERF { frameSize = 64 }\nVSPERF({ frameSize = 128 });', FILE)?.fields.get('frameSize'),
    ).toBe(128);
    expect(readVsperfCfg('-- nothing here\n', FILE)).toBeUndefined();
  });

  it('reports syntax errors with the file and line, as Lua does', () => {
    expect(() => readVsperfCfg('VSPERF {\n  frameSize = 64\n  ports = {0,1}\n}', FILE)).toThrow(
      "opnfv-vsperf-cfg.lua:3: '}' expected near 'ports'",
    );
    expect(() => readVsperfCfg('VSPERF {\n  srcIp = "10.0.0.1\n}', FILE)).toThrow(
      /^opnfv-vsperf-cfg\.lua:2: unfinished string/,
    );
    expect(() => readVsperfCfg('VSPERF {', FILE)).toThrow("opnfv-vsperf-cfg.lua:1: '}' expected near <eof>");
    expect(() => readVsperfCfg('print("hi")', FILE)).toThrow(
      /^opnfv-vsperf-cfg\.lua:1: VSPERF \{ \.\.\. \} expected/,
    );
  });
});
