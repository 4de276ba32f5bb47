/**
 * `netscale bgp-monitor --spec <file.json>`: a monitor peer as its own process. Prints JSON lines:
 * ready, then count lines (coalesced to one per 10 ms, the expected count and 0 always at once); reads
 * `quit` or EOF on stdin.
 */
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { monotonicMs } from '../../clock.ts';
import { CountPrinter } from '../../bgpload/count-printer.ts';
import { jsonLineWriter, now, readCommands, type EventWriter } from '../../bgpload/json-lines.ts';
import { MonitorPeer } from '../../bgpload/monitor-peer.ts';
import { readSpecFile } from '../../bgpload/spec-file.ts';
import { bgpMonitorSpecSchema, monitorOptions } from '../../bgpload/spec.ts';

/** Most count lines per second is 1000 / this. */
const COUNT_INTERVAL_MS = 10;

export async function runBgpMonitor(specFile: string, emit: EventWriter, stdin: Readable): Promise<number> {
  const spec = await readSpecFile(bgpMonitorSpecSchema, specFile);
  const printer = new CountPrinter({
    intervalMs: COUNT_INTERVAL_MS,
    expect: spec.expect,
    clock: monotonicMs,
    print: (count, t) => emit({ event: 'count', count, t }),
  });
  const options = monitorOptions(spec);
  const monitor = new MonitorPeer({
    ...options,
    onCount: (count, t) => printer.update(count, t),
    onError: (message, t) => emit({ event: 'error', peer: options.address, message, t }),
  });
  try {
    try {
      await monitor.connect();
    } catch (err) {
      emit({ event: 'error', peer: options.address, message: (err as Error).message, t: now() });
      return 1;
    }
    emit({ event: 'ready', peers: 1, t: monitor.establishedAt ?? now() });
    await readCommands(stdin, async (line) => {
      if (line === 'quit') return false;
      emit({ event: 'error', cmd: line, message: `unknown command "${line}" (expected quit)`, t: now() });
      return true;
    });
    return 0;
  } finally {
    printer.flush();
    await monitor.close();
    emit({ event: 'exit', t: now() });
  }
}

export function register(program: Command): void {
  program
    .command('bgp-monitor')
    .description(
      'monitor peer: counts the prefixes a DUT advertises to it; JSON lines on stdout, quit on stdin',
    )
    .requiredOption('--spec <file>', 'spec file (JSON): dut, monitor, families, expect, session settings')
    .action(async (o: { spec: string }) => {
      process.exitCode = await runBgpMonitor(o.spec, jsonLineWriter(process.stdout), process.stdin);
    });
}
