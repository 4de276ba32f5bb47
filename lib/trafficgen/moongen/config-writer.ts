/**
 * Writes opnfv-vsperf-cfg.lua, the file MoonGen's RFC 2544 script evaluates:
 * `VSPERF { key = value, ... }`. Only keys the scripts read are written (the
 * names of trafficgen.lua's getTestParams(); examples/opnfv-vsperf.lua reads
 * the same names but negativeLossRetry), and the per-device MAC and VLAN
 * settings are Lua arrays indexed like `ports` (srcMacs/dstMacs/vlanIds),
 * which is how the scripts read them: vsperf wrote singular srcMac/dstMac/vlanId
 * keys that they silently ignore.
 *
 * The stream type becomes `flowMods`, the header fields the script varies per
 * flow, with the values its adjustHeaders() acts on: L2 {"srcMac", "dstMac"}
 * (counting up from each device's srcMacs/dstMacs entry, or its NIC's MAC),
 * L3 {"srcIp", "dstIp"}, L4 {"srcPort", "dstPort"}. Any other value is
 * ignored by the script without a word. The deprecated examples/opnfv-vsperf.lua
 * (atheurer/MoonGen, 2016) fails on the L2 modifiers: it never fills the
 * srcMacsUnsigned/dstMacsUnsigned it counts from; run L2 with trafficgen.lua.
 */
import type { TrafficSpec } from '../traffic.ts';

export type MoonGenTestType = 'throughput' | 'latency' | 'throughput-latency';

export interface VsperfConfig {
  testType: MoonGenTestType;
  frameSize: number;
  /** Mpps per transmitting device; absent = the script measures the maximum. */
  startRate?: number;
  runBidirec: boolean;
  nrFlows: number;
  searchRunTime: number;
  validationRunTime: number;
  latencyRunTime: number;
  acceptableLossPct: number;
  /** Mpps; the script's search stops when its step falls below this. */
  rate_granularity: number;
  ports: number[];
  oneShot: boolean;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  flowMods: string[];
  /** Per device, in `ports` order; absent = taken from the NIC / the peer's NIC. */
  srcMacs?: string[];
  dstMacs?: string[];
  vlanIds?: number[];
  mppsPerQueue: number;
  queuesPerTask: number;
  /** Bits per second. */
  linkSpeed: number;
  /** Newer script only: retry a trial that reports more Rx than Tx frames. */
  negativeLossRetry?: boolean;
}

export interface ConfigRunOptions {
  ports: number[];
  linkGbps: number;
  startRateMpps?: number;
  oneShot: boolean;
  searchRunTimeS: number;
  validationRunTimeS: number;
  acceptableLossPct: number;
  rateGranularityMpps?: number;
  testType?: MoonGenTestType;
  latencyRunTimeS?: number;
}

const FLOW_MODS: Record<TrafficSpec['streamType'], string[]> = {
  L2: ['srcMac', 'dstMac'],
  L3: ['srcIp', 'dstIp'],
  L4: ['srcPort', 'dstPort'],
};

export function vsperfConfig(traffic: TrafficSpec, run: ConfigRunOptions): VsperfConfig {
  const perDevice = <T>(key: string, values: T[] | undefined): T[] | undefined => {
    if (!values || values.length === 0) return undefined;
    if (values.length === 1) return run.ports.map(() => values[0]!);
    if (values.length !== run.ports.length) {
      throw new Error(
        `traffic.${key}: expected 1 value or one per port (${run.ports.length} ports), found ${values.length}`,
      );
    }
    return values;
  };
  const cfg: VsperfConfig = {
    testType: run.testType ?? 'throughput',
    frameSize: traffic.l2.frameSize,
    runBidirec: traffic.bidir,
    nrFlows: traffic.multistream,
    searchRunTime: run.searchRunTimeS,
    validationRunTime: run.validationRunTimeS,
    latencyRunTime: run.latencyRunTimeS ?? 1800,
    acceptableLossPct: run.acceptableLossPct,
    rate_granularity: run.rateGranularityMpps ?? 0.1,
    ports: run.ports,
    oneShot: run.oneShot,
    srcIp: traffic.l3.srcIp,
    dstIp: traffic.l3.dstIp,
    srcPort: traffic.l4.srcPort,
    dstPort: traffic.l4.dstPort,
    flowMods: FLOW_MODS[traffic.streamType],
    mppsPerQueue: 5,
    queuesPerTask: 3,
    linkSpeed: run.linkGbps * 1e9,
  };
  if (run.startRateMpps !== undefined) cfg.startRate = run.startRateMpps;
  const srcMacs = perDevice('l2.srcMac', traffic.l2.srcMac);
  const dstMacs = perDevice('l2.dstMac', traffic.l2.dstMac);
  if (srcMacs) cfg.srcMacs = srcMacs;
  if (dstMacs) cfg.dstMacs = dstMacs;
  if (traffic.vlan.enabled) cfg.vlanIds = run.ports.map(() => traffic.vlan.id);
  return cfg;
}

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function luaValue(v: string | number | boolean | (string | number)[]): string {
  if (Array.isArray(v)) return `{${v.map((x) => luaValue(x)).join(', ')}}`;
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`MoonGen config: cannot write the non-finite number ${v}`);
    return String(v);
  }
  return v ? 'true' : 'false';
}

/** The text of opnfv-vsperf-cfg.lua for a config. */
export function writeVsperfConfig(cfg: VsperfConfig): string {
  const lines = Object.entries(cfg)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k} = ${luaValue(v as string | number | boolean | (string | number)[])},`);
  return `-- written by netscale\nVSPERF {\n${lines.join('\n')}\n}\n`;
}
