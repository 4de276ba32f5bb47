/**
 * Traffic description shared by every traffic generator, shaped like vsperf's
 * traffic dict so lab teams can carry their settings over.
 */
import { lineRateMpps } from './line-rate.ts';

export interface TrafficSpec {
  /** Offered load per direction in % of line rate (vsperf frame_rate). */
  frameRatePct: number;
  /** Traffic both ways across each port pair. */
  bidir: boolean;
  /** Number of flows (vsperf multistream; MoonGen nrFlows). */
  multistream: number;
  /** Which header field varies per flow (vsperf stream_type L2/L3/L4). */
  streamType: 'L2' | 'L3' | 'L4';
  l2: { frameSize: number; srcMac?: string[]; dstMac?: string[] };
  l3: { proto: 'udp'; srcIp: string; dstIp: string };
  l4: { srcPort: number; dstPort: number };
  vlan: { enabled: boolean; id: number; priority: number; cfi: number };
}

export type TrafficOverrides = {
  [K in keyof TrafficSpec]?: TrafficSpec[K] extends object ? Partial<TrafficSpec[K]> : TrafficSpec[K];
};

export const TRAFFIC_DEFAULTS: TrafficSpec = {
  frameRatePct: 100,
  bidir: false,
  multistream: 256,
  streamType: 'L3',
  l2: { frameSize: 64 },
  l3: { proto: 'udp', srcIp: '10.0.0.1', dstIp: '192.168.0.10' },
  l4: { srcPort: 1234, dstPort: 1234 },
  vlan: { enabled: false, id: 0, priority: 0, cfi: 0 },
};

/** Defaults with the given fields replaced, one level deep (vsperf merge_spec). */
export function trafficSpec(overrides: TrafficOverrides = {}): TrafficSpec {
  const d = TRAFFIC_DEFAULTS;
  const spec: TrafficSpec = {
    frameRatePct: overrides.frameRatePct ?? d.frameRatePct,
    bidir: overrides.bidir ?? d.bidir,
    multistream: overrides.multistream ?? d.multistream,
    streamType: overrides.streamType ?? d.streamType,
    l2: { ...d.l2, ...overrides.l2 },
    l3: { ...d.l3, ...overrides.l3 },
    l4: { ...d.l4, ...overrides.l4 },
    vlan: { ...d.vlan, ...overrides.vlan },
  };
  validateTraffic(spec);
  return spec;
}

function validateTraffic(t: TrafficSpec): void {
  const fail = (key: string, expected: string, found: unknown) => {
    throw new Error(`traffic.${key}: expected ${expected}, found ${JSON.stringify(found)}`);
  };
  if (!(t.frameRatePct > 0 && t.frameRatePct <= 100)) fail('frameRatePct', 'a % in (0, 100]', t.frameRatePct);
  if (!Number.isInteger(t.l2.frameSize) || t.l2.frameSize < 64 || t.l2.frameSize > 9216) {
    fail('l2.frameSize', 'an integer from 64 to 9216', t.l2.frameSize);
  }
  if (!Number.isInteger(t.multistream) || t.multistream < 1)
    fail('multistream', 'an integer >= 1', t.multistream);
  const mac = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
  for (const k of ['srcMac', 'dstMac'] as const) {
    for (const m of t.l2[k] ?? [])
      if (!mac.test(m)) fail(`l2.${k}`, 'MAC addresses like 00:11:22:33:44:55', m);
  }
  if (t.vlan.enabled && !(Number.isInteger(t.vlan.id) && t.vlan.id >= 0 && t.vlan.id <= 4095)) {
    fail('vlan.id', 'an integer from 0 to 4095', t.vlan.id);
  }
}

/** Offered rate per direction in Mpps for a % of line rate. */
export function offeredMpps(traffic: TrafficSpec, linkGbps: number): number {
  return (traffic.frameRatePct / 100) * lineRateMpps(linkGbps, traffic.l2.frameSize);
}
