/**
 * bgp_stress_test output -> typed events with the (monotonic) time each
 * line was seen. Works on the real tool's output and the emulator's: the
 * BGP_STRESS_TEST_LOG lines, gtest banners and failures, range errors and
 * boost command-line aborts.
 */
import { monotonicMs } from '../clock.ts';

export type BgpStressEvent =
  | { kind: 'agents-up-start'; count: number }
  | { kind: 'agent-up'; agent: string; source: string; server: string }
  | { kind: 'all-agents-up'; count: number }
  | { kind: 'subscribe-start' }
  | { kind: 'subscribe-end' }
  | { kind: 'trigger-wait'; file: string }
  | { kind: 'routes-feed-start' }
  | { kind: 'routes-feed-end' }
  | { kind: 'setup-time'; seconds: number }
  | { kind: 'paused' }
  | { kind: 'random-event'; index: number; name: string }
  | { kind: 'agent-down'; agent: string }
  | { kind: 'test-passed' }
  | { kind: 'test-failed' }
  | { kind: 'error'; message: string };

export type TimedBgpStressEvent = BgpStressEvent & { atMs: number; line: string };

const LOG = /BGP_STRESS_TEST_LOG: \S+:(\w+)\(\):(\d+) (.*)$/;

function fromLogMessage(text: string): BgpStressEvent | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^Starting bringing up (\d+) agents/.exec(text)))
    return { kind: 'agents-up-start', count: Number(m[1]) };
  if ((m = /^End bringing up (\d+) agents/.exec(text))) return { kind: 'all-agents-up', count: Number(m[1]) };
  if ((m = /^Agent (\S+) (\S+) > (\S+) up$/.exec(text))) {
    return { kind: 'agent-up', agent: m[1]!, source: m[2]!, server: m[3]! };
  }
  if ((m = /^Agent (\S+) (?:\S+ > \S+ )?down/.exec(text))) return { kind: 'agent-down', agent: m[1]! };
  if (text.startsWith('Start subscribing all XMPP Agents')) return { kind: 'subscribe-start' };
  if (text.startsWith('End subscribing all XMPP Agents')) return { kind: 'subscribe-end' };
  if ((m = /^Trigger route sends by doing \('touch (.*)'\)/.exec(text)))
    return { kind: 'trigger-wait', file: m[1]! };
  if (text.startsWith('Start feeding all routes from all XMPP agents')) return { kind: 'routes-feed-start' };
  if (text.startsWith('End feeding all routes from all XMPP agents')) return { kind: 'routes-feed-end' };
  if ((m = /^Time taken for initial setup: (?:(\d+) days? )?(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(text))) {
    const seconds = Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
    return { kind: 'setup-time', seconds };
  }
  if (text.startsWith('Test PAUSED.')) return { kind: 'paused' };
  if ((m = /^Feed (\d+)th event: (\w+)/.exec(text)))
    return { kind: 'random-event', index: Number(m[1]), name: m[2]! };
  return undefined;
}

/** Parses one output line; undefined when it carries no event. */
export function parseBgpStressLine(line: string): BgpStressEvent | undefined {
  const log = LOG.exec(line);
  if (log) return fromLogMessage(log[3]!.trimEnd());
  let m: RegExpExecArray | null;
  // --pause prints this on stdout whatever the log level.
  if (line.startsWith('Pause after initial setup is complete')) return { kind: 'paused' };
  if (/^\[ {7}OK \]/.test(line)) return { kind: 'test-passed' };
  // The verdict line (with its duration), not the summary list that repeats the name.
  if (/^\[ {2}FAILED {2}\] \S+\.RandomEvents.*\(\d+ ms\)$/.test(line)) return { kind: 'test-failed' };
  if ((m = /^\S+\.cc:(\d+): Failure$/.exec(line))) return { kind: 'error', message: line };
  if ((m = /^Invalid ([\w-]+)\. Valid range <0 - (\d+)>/.exec(line))) return { kind: 'error', message: line };
  if ((m = /^\s+what\(\):\s+(.*)$/.exec(line))) return { kind: 'error', message: m[1]! };
  return undefined;
}

/** Streaming parser: feed lines as they arrive, read events (with arrival times) as they accumulate. */
export class BgpStressLogParser {
  readonly events: TimedBgpStressEvent[] = [];
  private readonly listeners = new Set<(e: TimedBgpStressEvent) => void>();

  constructor(private readonly clock: () => number = monotonicMs) {}

  push(line: string): TimedBgpStressEvent | undefined {
    const e = parseBgpStressLine(line);
    if (!e) return undefined;
    const timed = { ...e, atMs: this.clock(), line };
    this.events.push(timed);
    for (const l of this.listeners) l(timed);
    return timed;
  }

  /** Feeds a block of text (several lines). */
  pushText(text: string): void {
    for (const line of text.split(/\r?\n/)) if (line !== '') this.push(line);
  }

  on(listener: (e: TimedBgpStressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  first<K extends BgpStressEvent['kind']>(kind: K): Extract<TimedBgpStressEvent, { kind: K }> | undefined {
    return this.events.find((e) => e.kind === kind) as Extract<TimedBgpStressEvent, { kind: K }> | undefined;
  }

  count(kind: BgpStressEvent['kind']): number {
    return this.events.filter((e) => e.kind === kind).length;
  }
}
