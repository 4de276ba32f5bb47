/**
 * The record of what runs changed on a lab, kept beside the lab lock (<stateDir>/changes.jsonl on
 * controlNodes[0]'s host) so that it outlives the process that made the changes. One JSON line per
 * event, appended: a change (written before it is made), then later its revert or its deliberate keep.
 * A change with neither is pending: a crashed run left it, and the next run (or `netscale lab restore`)
 * reverts it.
 *
 *   const rec = new ChangeRecord(host, stateDir, { runId, owner });
 *   const entry = await rec.append({ kind: 'env-file', ... });   // then make the change
 *   ... await rec.close(entry, 'reverted');
 */
import { randomUUID } from 'node:crypto';
import type { Host } from '../hosts/host.ts';
import { shellQuote } from '../hosts/shell-quote.ts';
import type { LabChange } from './lab-change.ts';

export interface ChangeEntry {
  id: string;
  run: string;
  /** The process (Host owner tag) that made it: workers of one run each revert their own. */
  owner: string;
  at: string;
  change: LabChange;
}

type Line = ChangeEntry | { id: string; closed: 'reverted' | 'kept'; at: string };

export class ChangeRecord {
  readonly file: string;
  /** The lock's guard file: appends and compaction exclude each other. */
  private readonly guard: string;

  constructor(
    private readonly host: Host,
    stateDir: string,
    private readonly me: { runId: string; owner: string },
  ) {
    this.file = `${stateDir}/changes.jsonl`;
    this.guard = `${stateDir}/.guard`;
  }

  private async appendLine(line: Line): Promise<void> {
    const f = shellQuote(this.file);
    const r = await this.host.exec(`flock -w 30 ${shellQuote(this.guard)} sh -c 'cat >> "$1"' sh ${f}`, {
      input: JSON.stringify(line) + '\n',
      timeoutMs: 60_000,
    });
    if (r.code !== 0)
      throw new Error(
        `change record ${this.file} on ${this.host.name}: append failed: ${r.stderr.trim().slice(0, 300)}`,
      );
  }

  /** Writes the change down; make it only after this resolved. */
  async append(change: LabChange): Promise<ChangeEntry> {
    const entry: ChangeEntry = {
      id: randomUUID(),
      run: this.me.runId,
      owner: this.me.owner,
      at: new Date().toISOString(),
      change,
    };
    await this.appendLine(entry);
    return entry;
  }

  /** Marks a change undone, or kept on purpose (e.g. VNs a scenario asks to keep after its run). */
  close(entry: ChangeEntry, how: 'reverted' | 'kept'): Promise<void> {
    return this.appendLine({ id: entry.id, closed: how, at: new Date().toISOString() });
  }

  /** Pending changes in the order they were made (every run's; filter by run/owner as needed). */
  async pending(): Promise<ChangeEntry[]> {
    return this.parse(await this.read());
  }

  private async read(): Promise<string> {
    const r = await this.host.exec(`cat ${shellQuote(this.file)} 2>/dev/null || true`, { timeoutMs: 60_000 });
    return r.stdout;
  }

  private parse(text: string): ChangeEntry[] {
    const open = new Map<string, ChangeEntry>();
    const lines = text.trimEnd().split('\n');
    lines.forEach((text, i) => {
      if (!text.trim()) return;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        // A line cut short by a crash mid-append: its change was never made (append precedes it).
        if (i === lines.length - 1) return;
        throw new Error(`change record ${this.file} on ${this.host.name}: line ${i + 1} is not JSON`);
      }
      if ('closed' in line) open.delete(line.id);
      else open.set(line.id, line);
    });
    return [...open.values()];
  }

  /** Starts an empty record when nothing is pending (keeps the file short). */
  async compact(): Promise<void> {
    const text = await this.read();
    if (text === '' || this.parse(text).length > 0) return;
    // Only if nothing was appended since it was read.
    const f = shellQuote(this.file);
    await this.host.exec(
      `flock -w 30 ${shellQuote(this.guard)} sh -c '[ "$(stat -c %s "$1")" = "$2" ] && rm -f "$1"' sh ${f} ${Buffer.byteLength(text)}`,
      { timeoutMs: 30_000 },
    );
  }
}
