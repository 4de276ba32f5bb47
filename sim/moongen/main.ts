/**
 * MoonGen emulator: behaves like `./build/MoonGen examples/opnfv-vsperf.lua`
 * (or the newer `./MoonGen/build/MoonGen trafficgen.lua`) run in a MoonGen base
 * dir. Reads opnfv-vsperf-cfg.lua from the cwd, runs a one-shot trial or the
 * script's own binary search against a DUT model, prints the script's log
 * format (with the usual progress noise) and, for latency runs, writes the
 * histograms the script named on the command line writes: hist:<a>-<b>.csv
 * (opnfv-vsperf.lua), or trafficgen.lua's
 * latency:histogram_dev:<a>-<b>_rate:<r>.csv with its "bucket,<label>" header
 * and the raw latency:samples_dev:<a>-<b>_rate:<r>.csv. Simulated time runs at
 * MOONGEN_SIM_TIME_SCALE. TERM/INT end the current trial early, as DPDK's
 * signal handling does; a one-shot run still prints its report.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DutModel, type DutTrial } from './dut-model.ts';
import { L1_OVERHEAD_BYTES, lineRateMpps } from './line-rate.ts';
import { readVsperfCfg, type LuaTable, type LuaValue } from './vsperf-cfg-reader.ts';
import { vsperfBinarySearch } from './vsperf-binary-search.ts';
import { simSettings } from './dut-source.ts';
import { printf } from './printf.ts';

const CONFIG_FILE = 'opnfv-vsperf-cfg.lua';
const out = (line: string) => process.stdout.write(line + '\n');
const info = (f: string, ...a: (number | string | boolean)[]) => out('[INFO]  ' + printf(f, ...a));
const warn = (f: string, ...a: (number | string | boolean)[]) => out('[WARN]  ' + printf(f, ...a));
const error = (f: string, ...a: (number | string | boolean)[]) => out('[ERROR] ' + printf(f, ...a));

let stopping = false;
let wake: (() => void) | null = null;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    stopping = true;
    wake?.();
  });
}

/** Sleeps simulated seconds; returns the fraction that elapsed before a stop signal. */
function simSleep(seconds: number, scale: number): Promise<number> {
  const ms = seconds * scale * 1000;
  const start = performance.now();
  return new Promise((resolve) => {
    if (stopping) return resolve(0);
    const t = setTimeout(() => resolve(1), ms);
    wake = () => {
      clearTimeout(t);
      resolve(ms > 0 ? Math.min(1, (performance.now() - start) / ms) : 1);
    };
  });
}

interface Params {
  testType: string;
  frameSize: number;
  startRate: number | undefined;
  runBidirec: boolean;
  nrFlows: number;
  searchRunTime: number;
  validationRunTime: number;
  latencyRunTime: number;
  acceptableLossPct: number;
  rateGranularity: number;
  ports: number[];
  oneShot: boolean;
  linkSpeed: number;
}

/** A config value as text for error messages: Lua's own notation. */
function luaText(v: LuaValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  const entries = [...v.list.map(luaText), ...[...v.fields].map(([k, x]) => `${k} = ${luaText(x)}`)];
  return `{${entries.join(', ')}}`;
}

/** The port list: a Lua list of port numbers, in pairs. */
function portList(v: LuaValue | undefined): number[] {
  if (v === undefined) return [0, 1];
  const ports = typeof v === 'object' && v.fields.size === 0 ? v.list : [];
  if (ports.length < 2 || ports.length % 2 || ports.some((p) => typeof p !== 'number')) {
    throw new Error(`${CONFIG_FILE}: ports: expected pairs of port numbers like {0,1}, found ${luaText(v)}`);
  }
  return ports as number[];
}

function params(cfg: LuaTable): Params {
  const get = (k: string) => cfg.fields.get(k);
  const n = (k: string, d: number) => {
    const v = get(k);
    if (v === undefined) return d;
    if (typeof v !== 'number')
      throw new Error(`${CONFIG_FILE}: ${k}: expected a number, found ${luaText(v)}`);
    return v;
  };
  const testType = get('testType');
  const startRate = get('startRate');
  return {
    testType: typeof testType === 'string' ? testType : 'throughput',
    frameSize: n('frameSize', 64),
    startRate: typeof startRate === 'number' ? startRate : undefined,
    runBidirec: get('runBidirec') === true,
    nrFlows: n('nrFlows', 256),
    searchRunTime: n('searchRunTime', 60),
    validationRunTime: n('validationRunTime', 30),
    latencyRunTime: n('latencyRunTime', 1800),
    acceptableLossPct: n('acceptableLossPct', 0),
    rateGranularity: n('rate_granularity', 0.1),
    ports: portList(get('ports')),
    oneShot: get('oneShot') === true,
    linkSpeed: n('linkSpeed', 10e9),
  };
}

/** Transmit -> receive device index pairs (0-based), as the script's connections table. */
function connections(p: Params): [number, number][] {
  const c: [number, number][] = [];
  for (let i = 0; i < p.ports.length; i += 2) {
    c.push([i, i + 1]);
    if (p.runBidirec) c.push([i + 1, i]);
  }
  return c;
}

interface TrialOutcome {
  rate: number;
  perDirection: DutTrial[];
  /** Every direction within acceptableLossPct (the script's acceptableLoss). */
  passed: boolean;
}

async function main(): Promise<number> {
  const script = process.argv[2];
  if (!script) {
    process.stderr.write('usage: MoonGen <script.lua> [args]\n');
    return 1;
  }
  if (!existsSync(script)) {
    process.stderr.write(`cannot open ${script}: No such file or directory\n`);
    return 1;
  }
  const sim = simSettings(process.cwd(), process.env);
  const dut = new DutModel({ ...sim.dut, seed: (sim.dut.seed ?? 1) ^ process.pid });
  out('EAL: Detected 8 lcore(s)');
  out('EAL: Probing VFIO support...');
  out(`EAL: emulated NICs, DUT model "${sim.dut.name}" (${sim.source}), time scale ${sim.timeScale}`);

  let cfg: LuaTable = { list: [], fields: new Map() };
  if (existsSync(CONFIG_FILE)) {
    info('reading [%s]', CONFIG_FILE);
    let read: LuaTable | undefined;
    try {
      read = readVsperfCfg(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
    } catch (err) {
      error('Could not load DPDK config: %s', (err as Error).message);
      return 0;
    }
    if (!read) {
      error('Config file does not contain VSPERF statement');
      return 0;
    }
    cfg = read;
  } else warn('No %s file found, using defaults', CONFIG_FILE);
  const p = params(cfg);
  const conns = connections(p);
  info('number of rx queues: %d', 1);
  info('number of tx queues: %d', 3);
  for (const [a, b] of conns) info('device %d transmits to device %d', p.ports[a]!, p.ports[b]!);

  const maxTx = lineRateMpps(p.linkSpeed, p.frameSize);
  info('Max Tx rate: %.2f', maxTx);
  let startRate = p.startRate ?? maxTx;
  if (startRate > maxTx) {
    warn(
      'Start rate has been reduced from %.2f to %.2f because the original start rate could not be achieved.',
      startRate,
      maxTx,
    );
    startRate = maxTx;
  }
  const latencyMode = p.testType === 'latency' || p.testType === 'throughput-latency';
  const histogramLayout: HistogramLayout =
    basename(script) === 'trafficgen.lua' ? 'trafficgen' : 'opnfv-vsperf';

  const runTrial = async (rate: number, runTime: number, final: boolean): Promise<TrialOutcome> => {
    info('Calibrating %s tx rate for %.2f Mfs', 'hardware', rate);
    info('Rate calibration complete');
    await simSleep(3, sim.timeScale); // Rx counters start 3 s before Tx
    if (final) info('Starting final validation');
    for (let i = 0; i < conns.length; i++) out(printf('Testing %.2f Mfps', rate));
    const fraction = await progress(rate, runTime, p, conns, sim.timeScale);
    if (final) info('Stopping final validation');
    await simSleep(3, sim.timeScale);
    const perDirection = conns.map(() => dut.trial(rate, runTime * fraction, p.frameSize));
    let pass = true;
    perDirection.forEach((t, i) => {
      const [a, b] = conns[i]!;
      const lost = t.tx - t.rx;
      const pct = t.tx > 0 ? (100 * lost) / t.tx : NaN;
      if (pct > p.acceptableLossPct) {
        warn(
          'Device %d->%d: FAILED - frame loss (%d, %.8f%%) is greater than the maximum (%.8f%%)',
          a,
          b,
          lost,
          pct,
          p.acceptableLossPct,
        );
        pass = false;
      } else {
        info(
          'Device %d->%d PASSED - frame loss (%d, %.8f%%) is less than or equal to the maximum (%.8f%%)',
          a,
          b,
          lost,
          pct,
          p.acceptableLossPct,
        );
      }
    });
    if (pass) info('Test Result:  PASSED');
    else warn('Test Result:  FAILED');
    if (latencyMode && (final || p.testType === 'latency'))
      writeHistograms(perDirection, conns, p, rate, histogramLayout);
    return { rate, perDirection, passed: pass };
  };

  let report: TrialOutcome | null = null;
  if (p.testType === 'latency') {
    out('Starting latency test');
    report = await runTrial(startRate, p.latencyRunTime, false);
  } else if (p.oneShot) {
    out('Running single throughput test');
    report = await runTrial(startRate, p.validationRunTime, true);
  } else {
    out(
      printf(
        'Starting binary search for maximum throughput with no more than %.8f%% packet loss',
        p.acceptableLossPct,
      ),
    );
    let last: TrialOutcome | undefined;
    const end = await vsperfBinarySearch(
      async (rate, final) => {
        last = await runTrial(rate, final ? p.validationRunTime : p.searchRunTime, final);
        return last.passed;
      },
      { startRateMpps: startRate, granularityMpps: p.rateGranularity },
      () => !stopping,
    );
    if (end.kind === 'below-granularity') {
      error('could not even pass with a rate <= the granularity (%s Mpps)', p.rateGranularity);
      return 0;
    }
    // Stopped, or the loop ran out without a validated rate: the script ends without a report.
    if (end.kind !== 'validated') return 0;
    report = last ?? null;
  }
  if (report) showReport(report, p, startRate, conns);
  return 0;
}

async function progress(
  rate: number,
  runTime: number,
  p: Params,
  conns: [number, number][],
  scale: number,
): Promise<number> {
  // One stats line per simulated second, at most 5 per trial: enough to look like MoonGen, small enough to fetch.
  const ticks = Math.max(1, Math.min(5, Math.floor(runTime)));
  let elapsed = 0;
  for (let i = 0; i < ticks; i++) {
    const f = await simSleep(runTime / ticks, scale);
    elapsed += f / ticks;
    if (f < 1) break;
    for (const [a] of conns) {
      const mbit = rate * p.frameSize * 8;
      out(
        printf(
          '[Device: id=%d] TX: %.2f Mpps, %d Mbit/s (%d Mbit/s with framing)',
          p.ports[a]!,
          rate,
          mbit,
          rate * (p.frameSize + L1_OVERHEAD_BYTES) * 8,
        ),
      );
    }
  }
  return elapsed;
}

function showReport(r: TrialOutcome, p: Params, startRate: number, conns: [number, number][]): void {
  const portList = p.ports.map((_, i) => i + 1).join(',');
  if (p.testType === 'throughput') {
    out(
      printf(
        '[PARAMETERS] startRate: %f nrFlows: %d frameSize: %d runBidirec: %s searchRunTime: %d validationRunTime: %d acceptableLossPct: %f ports: %s',
        startRate,
        p.nrFlows,
        p.frameSize,
        p.runBidirec,
        p.searchRunTime,
        p.validationRunTime,
        p.acceptableLossPct,
        portList,
      ),
    );
  } else if (p.testType === 'latency') {
    out(
      printf(
        '[PARAMETERS] startRate: %f nrFlows: %d frameSize: %d runBidirec: %s latencyRunTime: %d ports: %s',
        startRate,
        p.nrFlows,
        p.frameSize,
        p.runBidirec,
        p.latencyRunTime,
        portList,
      ),
    );
  } else {
    out(
      printf(
        '[PARAMETERS] startRate: %f nrFlows: %d frameSize: %d runBidirec: %s latencyRunTime: %d searchRunTime: %d validationRunTime: %d acceptableLossPct: %f ports: %s',
        startRate,
        p.nrFlows,
        p.frameSize,
        p.runBidirec,
        p.latencyRunTime,
        p.searchRunTime,
        p.validationRunTime,
        p.acceptableLossPct,
        portList,
      ),
    );
  }
  let tTx = 0,
    tRx = 0,
    tLost = 0,
    tTxMpps = 0,
    tRxMpps = 0;
  r.perDirection.forEach((t, i) => {
    const [a, b] = conns[i]!;
    const lost = t.tx - t.rx;
    const pct = (100 * lost) / t.tx;
    const rxMpps = (r.rate * (100 - pct)) / 100;
    tTx += t.tx;
    tRx += t.rx;
    tLost += lost;
    tTxMpps += r.rate;
    tRxMpps += rxMpps;
    out(
      printf(
        '[REPORT]Device %d->%d: Tx frames: %d Rx Frames: %d frame loss: %d, %f%% Rx Mpps: %f',
        p.ports[a]!,
        p.ports[b]!,
        t.tx,
        t.rx,
        lost,
        pct,
        rxMpps,
      ),
    );
  });
  out(
    printf(
      '[REPORT]      total: Tx frames: %d Rx Frames: %d frame loss: %d, %f%% Tx Mpps: %f Rx Mpps: %f',
      tTx,
      tRx,
      tLost,
      (100 * tLost) / tTx,
      tTxMpps,
      tRxMpps,
    ),
  );
}

type HistogramLayout = 'opnfv-vsperf' | 'trafficgen';

/** A number as Lua's tostring prints it (%.14g), as trafficgen.lua puts the rate into names and labels. */
function luaNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const [mantissa, exponent] = n.toPrecision(14).split('e');
  const trimmed = mantissa!.includes('.') ? mantissa!.replace(/0+$/, '').replace(/\.$/, '') : mantissa!;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

/**
 * Latency histograms as the script saves them (libmoon histogram:save: one "latency_ns,count" line per
 * latency seen). opnfv-vsperf.lua: hist:<a>-<b>.csv. trafficgen.lua: a "bucket,<label>" header first,
 * in latency:histogram_dev:<a>-<b>_rate:<r>.csv, and every sample in latency:samples_... .
 */
function writeHistograms(
  perDirection: DutTrial[],
  conns: [number, number][],
  p: Params,
  rate: number,
  layout: HistogramLayout,
): void {
  perDirection.forEach((t, i) => {
    const [a, b] = conns[i]!;
    const { min, avg, max } = t.latencyNs;
    // Three buckets whose weighted mean is the model's average.
    const w = max > min ? Math.max(0, Math.min(1, (avg - min) / (max - min))) : 0.5;
    const rows = (
      [
        [Math.round(min), Math.round(1000 * (1 - w))],
        [Math.round(max), Math.round(1000 * w)],
      ] as [number, number][]
    ).filter(([, c]) => c > 0);
    const lines = rows.map(([ns, c]) => `${ns},${c}`).join('\n') + '\n';
    const from = p.ports[a]!;
    const to = p.ports[b]!;
    if (layout === 'opnfv-vsperf') {
      writeFileSync(`hist:${from}-${to}.csv`, lines);
      return;
    }
    const name = `dev:${from}-${to}_rate:${luaNumber(rate)}.csv`;
    const label = `Dev:${from}->${to} @ ${luaNumber(rate)} Mpps`;
    writeFileSync(`latency:histogram_${name}`, `bucket,${label}\n${lines}`);
    const samples = rows.flatMap(([ns, c]) => Array<number>(c).fill(ns));
    writeFileSync(
      `latency:samples_${name}`,
      `samples,${label}\n${samples.map((ns, k) => `${k + 1},${ns}`).join('\n')}\n`,
    );
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`MoonGen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
