/** A `netscale` child process speaking the JSON-lines protocol: events parsed as they arrive, commands written to stdin. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, vi } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/netscale.js', import.meta.url));

export type JsonEvent = { event: string; t: number } & Record<string, unknown>;

export class JsonLineProcess {
  readonly events: JsonEvent[] = [];
  readonly stderr: string[] = [];
  /** Lines on stdout that are not JSON: the protocol forbids them. */
  readonly strayLines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as JsonEvent);
      } catch {
        this.strayLines.push(line);
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** The first event matching `match` (waits for it). */
  async next(match: (e: JsonEvent) => boolean, timeout = 20_000): Promise<JsonEvent> {
    let found: JsonEvent | undefined;
    await vi.waitFor(
      () => {
        found = this.events.find(match);
        expect(
          found,
          `no matching event; so far: ${JSON.stringify(this.events.slice(-5))} stderr: ${this.stderr.join('\n')}`,
        ).toBeDefined();
      },
      { timeout, interval: 20 },
    );
    return found as JsonEvent;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
