/**
 * Shape of a throughput scenario file (scenarios/throughput/*.yaml): which RFC 2544 test to run over
 * which frame sizes, with what traffic, and which thresholds decide pass/fail. One kind per file:
 *
 *   kind: throughput      a search for the highest rate within the loss goal (RFC 2544 26.1), optionally
 *                         with latency at that rate (26.2)
 *   kind: back-to-back    the longest burst at the offered rate within the loss goal (26.4)
 *   kind: continuous      traffic at a fixed rate for a duration: loss, rate and latency
 *
 *   name: rfc2544-throughput
 *   kind: throughput
 *   frameSizes: [64, 128, 256, 512, 1024, 1280, 1518]
 *   traffic: { bidir: true, frameRatePct: 100 }          # vsperf's traffic dict (lib/trafficgen/traffic.ts)
 *   durationSeconds: 60
 *   latency: true
 *   search: { kind: multi-goal, relativeWidth: 0.005 }
 *   embeddedLab: { dut: vswitch-10g }                     # the emulated DUT; a real lab ignores it
 *   thresholds: { frame_loss: '<= 0.001%', throughput_rx_percent: '>= 60%', latency_avg: '< 1ms' }
 *
 * Threshold names are the metric catalogue's throughput metrics (lib/thresholds/metric-catalogue.ts);
 * lib/thresholds' ThresholdSet checks names and units. A threshold on a metric the scenario never
 * measures (latency without `latency: true`, throughput_mpps outside a search) is an error here.
 */
import { z } from 'zod';
import { METRICS, isMetricName, type MetricName } from '../thresholds/metric-catalogue.ts';

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'an IPv4 address like 10.0.0.1');
const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, 'a MAC address like 00:11:22:33:44:55');
const seconds = z.number().positive();

/** Ethernet frame size with CRC, bytes (RFC 2544 sizes are 64 ... 1518; jumbo up to 9216). */
export const frameSizeSchema = z.number().int().min(64).max(9216);

/**
 * Overrides of vsperf's traffic dict; what is left out keeps lib/trafficgen/traffic.ts's defaults
 * (one place for them), which trafficSpec() also validates.
 */
export const trafficSchema = z.strictObject({
  /** Offered load per direction, % of line rate. */
  frameRatePct: z.number().gt(0).max(100).optional(),
  bidir: z.boolean().optional(),
  multistream: z.number().int().min(1).optional(),
  streamType: z.enum(['L2', 'L3', 'L4']).optional(),
  l2: z.strictObject({ srcMac: z.array(mac).optional(), dstMac: z.array(mac).optional() }).optional(),
  l3: z.strictObject({ srcIp: ipv4.optional(), dstIp: ipv4.optional() }).optional(),
  l4: z
    .strictObject({
      srcPort: z.number().int().min(0).max(65535).optional(),
      dstPort: z.number().int().min(0).max(65535).optional(),
    })
    .optional(),
  vlan: z
    .strictObject({
      enabled: z.boolean().optional(),
      id: z.number().int().min(0).max(4095).optional(),
      priority: z.number().int().min(0).max(7).optional(),
      cfi: z.number().int().min(0).max(1).optional(),
    })
    .optional(),
});

export const throughputEmbeddedLabSchema = z.strictObject({
  /** DUT model of the MoonGen emulator (sim/moongen/dut-model.ts presets); the trafficGenerator fixture's default. */
  dut: z.string().min(1).default('vswitch-10g'),
});

export const searchSchema = z.discriminatedUnion('kind', [
  /** MoonGen's own binary search in one run (vsperf's way). */
  z.strictObject({ kind: z.literal('moongen'), granularityMpps: z.number().positive().optional() }),
  /** The same binary search, trial by trial from here (every trial in the trace). */
  z.strictObject({ kind: z.literal('binary'), granularityMpps: z.number().positive().optional() }),
  /** NDR and PDR at once, short trials first (lib/trafficgen/search/multi-goal-search.ts). */
  z.strictObject({
    kind: z.literal('multi-goal'),
    relativeWidth: z.number().gt(0).lt(1).optional(),
    initialDurationSeconds: seconds.optional(),
  }),
]);

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case name of letters, digits and -'),
  description: z.string().default(''),
  /** Allure feature label; defaults to the name. */
  feature: z.string().optional(),
  frameSizes: z.array(frameSizeSchema).min(1),
  traffic: trafficSchema.default({}),
  embeddedLab: throughputEmbeddedLabSchema.default(throughputEmbeddedLabSchema.parse({})),
  /** Threshold overrides by catalogue metric, e.g. frame_loss: '<= 0.001%'. */
  thresholds: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a metric name like frame_loss'), z.string().min(1))
    .default({}),
};

/** Acceptable frame loss of the search or burst, % (vsperf lossrate); RFC 2544 asks for 0. */
const acceptableLossPct = z.number().min(0).max(100).default(0);
/** Repeats of the whole test; results are averaged (vsperf `tests`). */
const tests = z.number().int().min(1).default(1);

export const throughputKindSchema = z.strictObject({
  ...common,
  kind: z.literal('throughput'),
  /** Final (full-length) trial duration; RFC 2544 asks for >= 60. */
  durationSeconds: seconds.default(60),
  acceptableLossPct,
  tests,
  /** Latency in one more trial at the throughput rate (RFC 2544 26.2). */
  latency: z.boolean().default(false),
  search: searchSchema.default({ kind: 'moongen' }),
});

export const backToBackKindSchema = z.strictObject({
  ...common,
  kind: z.literal('back-to-back'),
  /** Length of the full burst; RFC 2544 asks for >= 2. */
  durationSeconds: seconds.default(2),
  acceptableLossPct,
  tests,
});

export const continuousKindSchema = z.strictObject({
  ...common,
  kind: z.literal('continuous'),
  durationSeconds: seconds,
  latency: z.boolean().default(false),
  /** The start/stop form (startContTraffic ... stopContTraffic): how long traffic runs between them. */
  startStop: z.strictObject({ holdSeconds: seconds.default(1) }).optional(),
});

const LATENCY_METRICS = ['latency_avg', 'latency_max', 'latency_min'] as const;

/** Catalogue metrics a scenario measures; a threshold on any other would never be met. */
export function metricsMeasuredBy(s: ThroughputScenario, opts: { startStop?: boolean } = {}): MetricName[] {
  const rates: MetricName[] = ['frame_loss', 'throughput_rx_percent', 'throughput_rx_fps'];
  switch (s.kind) {
    case 'throughput':
      return [...rates, 'throughput_rx_mbps', 'throughput_mpps', ...(s.latency ? LATENCY_METRICS : [])];
    case 'back-to-back':
      return rates;
    case 'continuous':
      return [...rates, 'throughput_rx_mbps', ...(s.latency && !opts.startStop ? LATENCY_METRICS : [])];
  }
}

export const throughputScenarioSchema = z
  .discriminatedUnion('kind', [throughputKindSchema, backToBackKindSchema, continuousKindSchema])
  .superRefine((s, ctx) => {
    const measured = new Set<string>(metricsMeasuredBy(s));
    for (const metric of Object.keys(s.thresholds)) {
      // Names that are no throughput metric at all are ThresholdSet's to report, with the known names.
      if (!isMetricName(metric) || METRICS[metric].domain !== 'throughput' || measured.has(metric)) continue;
      const hint = metric.startsWith('latency_') && s.kind !== 'back-to-back' ? ' without latency: true' : '';
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', metric],
        message: `a ${s.kind} scenario${hint} does not measure ${metric} (it measures ${[...measured].join(', ')})`,
        input: s.thresholds[metric],
      });
    }
  });

export type TrafficOverridesInput = z.infer<typeof trafficSchema>;
export type SearchSettings = z.infer<typeof searchSchema>;
export type ThroughputKindScenario = z.infer<typeof throughputKindSchema>;
export type BackToBackScenario = z.infer<typeof backToBackKindSchema>;
export type ContinuousScenario = z.infer<typeof continuousKindSchema>;
export type ThroughputScenario = z.infer<typeof throughputScenarioSchema>;
/** What a throughput scenario file may contain (defaults not yet applied). */
export type ThroughputScenarioInput = z.input<typeof throughputScenarioSchema>;
