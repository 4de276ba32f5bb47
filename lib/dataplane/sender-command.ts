/**
 * How nsd-sender (sender/nsd-sender.c) is run for one direction of a trial, and what it reports: frames
 * sent and its own send time (first to last send), from which the achieved rate follows.
 */
import { shellQuote } from '../hosts/shell-quote.ts';
import type { TrafficSpec } from '../trafficgen/traffic.ts';
import { DataplaneError, inNs, type Endpoint, type NetnsDataplane } from './netns-dataplane.ts';

/** One direction of traffic: from one end of the data plane, through the DUT, to the other. */
export interface Direction {
  from: Endpoint;
  to: Endpoint;
  fromName: 'gen' | 'rcv';
}

export interface SenderReport {
  sent: number;
  elapsedS: number;
}

export interface SenderRun {
  /** Frames/s; 0 sends as fast as the sender can. */
  fps: number;
  /** Frames to send; 0 until maxMs or TERM. */
  count: number;
  maxMs: number;
  /** Every `every`-th frame a latency probe to the far end's own address. */
  probes?: { every: number; port: number };
  /** Over the sending end's calibration veth pair, without the DUT. */
  calibration?: boolean;
}

export function senderCommand(
  sender: string,
  dataplane: NetnsDataplane,
  traffic: TrafficSpec,
  d: Direction,
  o: SenderRun,
): string {
  const flows = Math.max(1, Math.min(traffic.multistream, 65535 - traffic.l4.srcPort));
  const args = o.calibration
    ? ['--dev', d.from.calDev, '--dst-mac', d.from.calMac]
    : ['--dev', d.from.dev, '--dst-mac', dataplane.nextHopMac(d.fromName)];
  args.push(
    ...['--src-mac', d.from.mac, '--src-ip', d.from.ip, '--dst-ip', d.to.sinkIp],
    ...['--size', String(traffic.l2.frameSize), '--rate', String(o.fps), '--count', String(o.count)],
    ...['--max-ms', String(Math.ceil(o.maxMs)), '--flows', String(flows)],
    ...['--sport', String(traffic.l4.srcPort), '--dport', String(traffic.l4.dstPort)],
  );
  if (o.probes) {
    args.push(
      ...['--probe-every', String(o.probes.every), '--probe-ip', d.to.ip],
      ...['--probe-port', String(o.probes.port)],
    );
  }
  // Real-time priority: a sender the scheduler holds up sends late, which looks like back-pressure.
  return inNs(d.from.ns, ['chrt', '-f', '10', sender, ...args].map(shellQuote).join(' '));
}

/** The sender's last JSON line; `where` names the host and namespace for the error. */
export function parseSenderReport(stdout: string, where: string): SenderReport {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new DataplaneError(`${where}: the sender printed no report: ${stdout.slice(-300)}`);
  const r = JSON.parse(line) as { sent: number; startNs: number; lastNs: number };
  return { sent: r.sent, elapsedS: r.sent > 0 ? (r.lastNs - r.startNs) / 1e9 : 0 };
}
