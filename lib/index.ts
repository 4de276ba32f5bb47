/** Public API of netscale (import from 'netscale'). Fixtures: 'netscale/fixtures'; matchers: 'netscale/matchers'. */

// Hosts, labs, configuration, process lifecycle
export * from './hosts/host.ts';
export { LocalHost } from './hosts/local-host.ts';
export { SshHost, SshHostError, type SshHostOptions, type SshAuth } from './hosts/ssh-host.ts';
export { reap, listTaggedProcesses, type ReapOptions, type ReapResult } from './hosts/reaper.ts';
export { shellQuote } from './hosts/shell-quote.ts';
export { openLab, type OpenLabOptions } from './lab/open-lab.ts';
export type { Lab, Role } from './lab/lab.ts';
export { checkLab, formatLabCheck, type HostCheck } from './lab/check.ts';
export { claimLab, type LabClaim, type ClaimOptions } from './lab/lab-claim.ts';
export { LabLock, LabBusyError, forceUnlock, readLockOwner, type LockOwner } from './lab/lab-lock.ts';
export { ChangeRecord, type ChangeEntry } from './lab/change-record.ts';
export type { LabChange, RecordChange } from './lab/lab-change.ts';
export { revertChange, describeChange } from './lab/revert-change.ts';
export { editEnvFile } from './lab/env-file.ts';
export * from './config/lab-schema.ts';
export { loadEnv, type NetscaleEnv } from './config/env.ts';
export { loadLabFile, type LoadedLab } from './config/load-lab.ts';
export { ConfigError } from './config/config-error.ts';
export { generateRunId } from './run/run-id.ts';
export { onInterrupt } from './run/interrupt.ts';
export { redact, registerSecret } from './log/redact.ts';
export { createLogger, type Logger } from './log/logger.ts';
export * from './clock.ts';

// Contrail control node and bgp_stress_test
export * from './contrail/index.ts';
export {
  requestKeystoneToken,
  keystoneTokensUrl,
  type KeystoneCredentials,
} from './contrail/keystone-token.ts';
export {
  buildCommand,
  buildArgs,
  validateRun,
  parseEnv,
  parseExtraFlags,
  BgpStressRunError,
  type BgpStressRun,
} from './bgpstress/command.ts';
export * from './bgpstress/plan.ts';
export * from './bgpstress/log-parser.ts';
export * from './bgpstress/secondary-addresses.ts';
export * from './bgpstress/tool-naming.ts';
export { checkConnectivity, sampleSources, ConnectivityError } from './load/connectivity-check.ts';
export { RouterCheck } from './dut/junos-router.ts';
export { RouterRoutePoller } from './dut/router-route-poller.ts';
export * from './dut/junos-route-summary.ts';
export * from './dut/junos-bgp-neighbor.ts';

// BGP messages
export * from './bgp/message-types.ts';
export * from './bgp/encode.ts';
export * from './bgp/decode.ts';
export * from './bgp/decode-error.ts';
export * from './bgp/framer.ts';
export * from './bgp/update-packing.ts';
export * from './bgp/notification-reason.ts';

// Scenarios
export * from './scenario/schema.ts';
export { loadScenario, parseScenario, ScenarioError } from './scenario/load.ts';
export { importParams } from './scenario/import-params.ts';
export * from './scenario/throughput-schema.ts';
export * from './scenario/load-throughput.ts';
export { ProgressLine } from './progress/progress-line.ts';

// Measurement, thresholds, reports
export * from './thresholds/quantity.ts';
export * from './thresholds/threshold.ts';
export * from './thresholds/threshold-set.ts';
export * from './thresholds/metric-catalogue.ts';
export * from './thresholds/default-thresholds.ts';
export * from './measure/series.ts';
export * from './measure/milestones.ts';
export * from './measure/process-sampler.ts';
export * from './measure/introspect-poller.ts';
export * from './measure/stats.ts';
export * from './measure/run-and-expect.ts';
export * from './report/allure.ts';
export * from './report/charts.ts';
export * from './report/scrub.ts';
export * from './report/run-archive.ts';
export * from './report/legacy-summary.ts';
export * from './report/trend-charts.ts';

// Traffic generators and RFC 2544
export * from './trafficgen/line-rate.ts';
export * from './trafficgen/traffic.ts';
export type * from './trafficgen/traffic-generator.ts';
export * from './trafficgen/vsperf-results.ts';
export * from './trafficgen/moongen/moongen.ts';
export * from './trafficgen/moongen/log-parser.ts';
export * from './trafficgen/moongen/log-metrics.ts';
export * from './trafficgen/moongen/config-writer.ts';
export * from './trafficgen/moongen/lua-table-reader.ts';
export * from './trafficgen/search/trial.ts';
export * from './trafficgen/search/binary-search.ts';
export * from './trafficgen/search/multi-goal-search.ts';
export * from './trafficgen/search/burst-search.ts';
export * from './trafficgen/search/progress-line.ts';
export * from './trafficgen/throughput-report.ts';
export * from './trafficgen/throughput-run.ts';

// Native BGP load generator, monitor peer, real BGP daemons as the device under test
export {
  BgpLoadGenerator,
  type BgpLoadGeneratorOptions,
  type GeneratorEvent,
} from './bgpload/bgp-load-generator.ts';
export { MonitorPeer, type MonitorPeerOptions, type CountSample } from './bgpload/monitor-peer.ts';
export {
  bgpLoadSpecSchema,
  bgpMonitorSpecSchema,
  type BgpLoadSpec,
  type BgpMonitorSpec,
} from './bgpload/spec.ts';
export { PrefixPlan, type PrefixMode, type PrefixPlanOptions } from './bgpload/prefix-plan.ts';
export * from './daemons/bgp-daemon.ts';
export { createBgpDaemon } from './daemons/create-bgp-daemon.ts';
export { createTopology } from './daemons/create-topology.ts';
export type { DaemonTopology, TopologyOptions } from './daemons/topology.ts';
export { selectDaemons } from './daemons/select-daemons.ts';
export { requireDaemon, installCommand } from './daemons/require-daemon.ts';
export { BgpDaemonDut, type DaemonScope } from './dut/bgp-daemon-dut.ts';
export { NativeBgpLoad } from './load/native-bgp-load.ts';
export { ContrailScaleSession, type ContrailScaleOptions } from './scale/contrail-scale-session.ts';
export {
  DaemonScaleSession,
  type DaemonScaleOptions,
  type DaemonScaleResult,
} from './scale/daemon-scale-session.ts';
export { convergenceBounds, type ConvergenceBounds } from './scale/convergence-bounds.ts';

// Linux kernel data plane in network namespaces
export { NetnsDataplane, DataplaneError, type DataplaneSpec } from './dataplane/netns-dataplane.ts';
export {
  NetnsTrafficGenerator,
  type NetnsGeneratorOptions,
  type NetnsThroughputResult,
} from './dataplane/netns-generator.ts';
