/**
 * A `netscale bgp-load` or `netscale bgp-monitor` process started on a Host (inside a namespace through
 * NetnsHost): tagged and guarded like every process netscale starts, its JSON-line events parsed as they
 * arrive, commands written to its stdin. Waits are conditions on the events, bounded and naming the
 * process and what it printed last.
 *
 *   const p = await BgpProcess.start(host, 'bgp-load', specFile, 'bgp-load#1');
 *   await p.next((e) => e.event === 'ready', 30_000);
 *   await p.command('announce');
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Host, ProcessHandle } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { ProcessEvent } from './json-lines.ts';

const BIN = fileURLToPath(new URL('../../bin/netscale.js', import.meta.url));

export class BgpProcess {
  private constructor(
    readonly name: string,
    readonly handle: ProcessHandle,
    /** Every event so far, in arrival order (filled from the process's first line on). */
    readonly events: ProcessEvent[],
    private readonly waiters: Set<() => void>,
  ) {
    void handle.wait().then(() => this.wake());
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Starts `netscale <command> --spec <specFile>`; each line also goes to `logFile` when given. */
  static async start(
    host: Host,
    command: 'bgp-load' | 'bgp-monitor',
    specFile: string,
    name: string,
    listener?: (e: ProcessEvent) => void,
    logFile?: string,
  ): Promise<BgpProcess> {
    const events: ProcessEvent[] = [];
    const waiters = new Set<() => void>();
    const handle = await host.spawn(
      `exec ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${command} --spec ${shellQuote(specFile)}`,
      {
        name,
        stdin: 'pipe',
        onLine: (line, stream) => {
          if (logFile) appendFileSync(logFile, `${stream === 'stderr' ? '! ' : ''}${line}\n`);
          if (stream !== 'stdout' || !line.startsWith('{')) return;
          let e: ProcessEvent;
          try {
            e = JSON.parse(line) as ProcessEvent;
          } catch {
            return;
          }
          events.push(e);
          for (const w of waiters) w();
          listener?.(e);
        },
      },
    );
    return new BgpProcess(name, handle, events, waiters);
  }

  /** The first event from index `from` on that matches; fails when the process ends or after timeoutMs. */
  next(match: (e: ProcessEvent) => boolean, timeoutMs: number, from = 0): Promise<ProcessEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        const error = this.events.slice(from).find((e) => e.event === 'error');
        if (found) return done(() => resolve(found));
        if (error && error.event === 'error')
          return done(() =>
            reject(new Error(`${this.name}: ${error.peer ? `peer ${error.peer}: ` : ''}${error.message}`)),
          );
        if (this.handle.exited)
          return done(() =>
            reject(
              new Error(
                `${this.name} ended before the awaited event; its output: ${this.handle.output().slice(-600)}`,
              ),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `${this.name}: no awaited event within ${timeoutMs} ms; last events: ${JSON.stringify(this.events.slice(-3))}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Writes one command line and waits for the event it ends with. */
  async command(line: string, ends: (e: ProcessEvent) => boolean, timeoutMs: number): Promise<ProcessEvent> {
    const from = this.events.length;
    await this.handle.write(`${line}\n`);
    return this.next(ends, timeoutMs, from);
  }
}
