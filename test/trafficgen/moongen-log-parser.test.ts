import { describe, expect, it } from 'vitest';
import { parseMoonGenLog, MoonGenLogError } from '../../lib/trafficgen/moongen/log-parser.ts';
import { moonGenMetrics, moonGenSummaryJson } from '../../lib/trafficgen/moongen/log-metrics.ts';

const NOISE = `EAL: Detected 8 lcore(s)
EAL: PCI device 0000:03:00.0 on NUMA socket 0
[INFO]  reading [opnfv-vsperf-cfg.lua]
[Device: id=0] TX: 14.88 Mpps, 7619 Mbit/s (10000 Mbit/s with framing)
[Device: id=1] RX: 14.87 Mpps, 7613 Mbit/s (9993 Mbit/s with framing)
[WARN]  Device 0->1: FAILED - frame loss (1234, 0.00138000%) is greater than the maximum (0.00000000%)
`;

// Newer script (atheurer): PARAMETERS first, %f numbers, Tx Mpps in the total line, bidirectional.
const NEWER = `${NOISE}Testing 7.44 Mfps
[INFO]  Device 0->1 PASSED - frame loss (0, 0.00000000%) is less than or equal to the maximum (0.00000000%)
[INFO]  Test Result:  PASSED
[PARAMETERS] startRate: 14.880952 nrFlows: 256 frameSize: 64 runBidirec: true searchRunTime: 60 validationRunTime: 30 acceptableLossPct: 0.000000 ports: 1,2
[REPORT]Device 0->1: Tx frames: 446400000 Rx Frames: 446400000 frame loss: 0, 0.000000% Rx Mpps: 7.440000
[REPORT]Device 1->0: Tx frames: 446400000 Rx Frames: 446399000 frame loss: 1000, 0.000224% Rx Mpps: 7.439983
[REPORT]      total: Tx frames: 892800000 Rx Frames: 892799000 frame loss: 1000, 0.000112% Tx Mpps: 14.880000 Rx Mpps: 14.879983
`;

// Older script (bmichalo): REPORT before PARAMETERS, no Tx Mpps, %.8f loss and %.2f Mpps.
const OLDER = `${NOISE}[REPORT]Device 0->1: Tx frames: 600000000 Rx Frames: 594000000 frame loss: 6000000, 1.00000000% Rx Mpps: 9.90
[REPORT]      total: Tx frames: 600000000 Rx Frames: 594000000 frame loss: 6000000, 1.00000000% Rx Mpps: 9.90
[PARAMETERS] startRate: 10.000000 nrFlows: 256 frameSize: 128 runBidirec: false searchRunTime: 60 validationRunTime: 60 acceptableLossPct: 1.000000 ports: 1,2
`;

// A copy with no PARAMETERS line at all.
const NO_PARAMETERS = `[REPORT]Device 0->1: Tx frames: 100 Rx Frames: 100 frame loss: 0, 0.000000% Rx Mpps: 1.000000
[REPORT]      total: Tx frames: 100 Rx Frames: 100 frame loss: 0, 0.000000% Tx Mpps: 1.000000 Rx Mpps: 1.000000
`;

describe('MoonGen log parser', () => {
  it('reads the newer format with PARAMETERS first, per-direction lines and progress noise', () => {
    const log = parseMoonGenLog(NEWER);
    expect(log.parameters).toMatchObject({
      frameSize: 64,
      runBidirec: true,
      searchRunTime: 60,
      ports: '1,2',
    });
    expect(log.directions).toEqual([
      { from: 0, to: 1, txFrames: 446400000, rxFrames: 446400000, lossFrames: 0, lossPct: 0, rxMpps: 7.44 },
      {
        from: 1,
        to: 0,
        txFrames: 446400000,
        rxFrames: 446399000,
        lossFrames: 1000,
        lossPct: 0.000224,
        rxMpps: 7.439983,
      },
    ]);
    expect(log.total).toEqual({
      txFrames: 892800000,
      rxFrames: 892799000,
      lossFrames: 1000,
      lossPct: 0.000112,
      txMpps: 14.88,
      rxMpps: 14.879983,
    });
    expect(log.trials).toEqual([{ rateMpps: 7.44, finalValidation: false, passed: true, maxLossPct: 0 }]);
  });

  it('reads the older format: REPORT before PARAMETERS, total without Tx Mpps, %.8f and %.2f', () => {
    const log = parseMoonGenLog(OLDER);
    expect(log.parameters?.frameSize).toBe(128);
    expect(log.total.txMpps).toBeNull();
    expect(log.total.lossPct).toBe(1);
    expect(log.total.rxMpps).toBe(9.9);
  });

  it('reads a log without PARAMETERS; the frame size then has to be given', () => {
    const log = parseMoonGenLog(NO_PARAMETERS, 'run1.log');
    expect(log.parameters).toBeNull();
    expect(() => moonGenMetrics(log, { linkGbps: 10, source: 'run1.log' })).toThrow(
      /run1\.log: frame size unknown/,
    );
    expect(moonGenMetrics(log, { linkGbps: 10, frameSize: 64 }).rxFps).toBe(1e6);
  });

  it('keeps the last report when a log holds several runs', () => {
    const log = parseMoonGenLog(OLDER + NEWER);
    expect(log.total.txFrames).toBe(892800000);
    expect(log.directions).toHaveLength(2);
  });

  it('throws a clear error naming the file when there is no REPORT total, never zeros', () => {
    const aborted = `${NOISE}[ERROR] ABORT TEST:  difference between actual and requested Tx rate (0.50) is greater than allowed (0.25)\n`;
    expect(() => parseMoonGenLog(aborted, '/tmp/moongen/1/moongen-run.log')).toThrow(MoonGenLogError);
    expect(() => parseMoonGenLog(aborted, '/tmp/moongen/1/moongen-run.log')).toThrow(
      /^\/tmp\/moongen\/1\/moongen-run\.log: no "\[REPORT\]\s+total: .*ABORT TEST/,
    );
    expect(() => parseMoonGenLog('', 'empty.log')).toThrow(/empty\.log: no "\[REPORT\]/);
  });

  it('accepts nan and negative loss the way LuaJIT prints them', () => {
    const log = parseMoonGenLog(
      '[REPORT]Device 0->1: Tx frames: 0 Rx Frames: 5 frame loss: -5, -nan% Rx Mpps: -nan\n' +
        '[REPORT]      total: Tx frames: 0 Rx Frames: 5 frame loss: -5, -nan% Tx Mpps: 0.000000 Rx Mpps: -nan\n',
    );
    expect(log.total.lossFrames).toBe(-5);
    expect(Number.isNaN(log.total.lossPct)).toBe(true);
  });
});

describe('MoonGen log metrics', () => {
  it('computes fps, L1 Mbps and % of line rate per direction and in total (vsperf formulas)', () => {
    const m = moonGenMetrics(parseMoonGenLog(NEWER), { linkGbps: 10 });
    expect(m.streams).toBe(2);
    expect(m.rxFps).toBeCloseTo(14_879_983, 0);
    expect(m.rxMbps).toBeCloseTo(14.879983 * 84 * 8, 6);
    // 2 streams x 14,880,952.38 fps line rate at 64 B on 10 G.
    expect(m.rxPctLineRate).toBeCloseTo((100 * 14_879_983) / (2 * 14_880_952.38), 4);
    expect(m.txPctLineRate).toBeCloseTo((100 * 14_880_000) / (2 * 14_880_952.38), 4);
    expect(m.directions[0]!.rxPctLineRate).toBeCloseTo((100 * 7_440_000) / 14_880_952.38, 4);
  });

  it('scales % of line rate with the link speed (1/10/25/40/100 G)', () => {
    const log = parseMoonGenLog(OLDER);
    const at = (g: number) => moonGenMetrics(log, { linkGbps: g }).rxPctLineRate;
    expect(at(10)).toBeCloseTo((100 * 9.9e6) / (10e9 / (148 * 8)), 6);
    expect(at(25)).toBeCloseTo(at(10) / 2.5, 9);
    expect(at(100)).toBeCloseTo(at(10) / 10, 9);
  });

  it('produces the documented JSON shape', () => {
    const json = moonGenSummaryJson(moonGenMetrics(parseMoonGenLog(OLDER), { linkGbps: 10 }));
    expect(Object.keys(json)).toEqual([
      'frameSize',
      'streams',
      'txFrames',
      'rxFrames',
      'lossFrames',
      'lossPct',
      'txMpps',
      'rxMpps',
      'rxFps',
      'rxMbps',
      'rxPctLineRate',
      'directions',
    ]);
    expect(json.txMpps).toBeNull();
    expect(Object.keys(json.directions[0]!)).toEqual([
      'from',
      'to',
      'txFrames',
      'rxFrames',
      'lossFrames',
      'lossPct',
      'rxMpps',
    ]);
  });
});
