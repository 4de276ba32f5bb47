/**
 * bgp_stress_test's log output: log4cplus lines with contrail's pattern
 * `%D{%Y-%m-%d %a %H:%M:%S:%Q %Z} %h [Thread %t, Pid %i]: %m`, messages
 * `BGP_STRESS_TEST_LOG: file:func():line text` at DEBUG, filtered by
 * --log-level (sandesh levels: SYS_EMERG hides them). Writes are batched
 * because a 1,000-agent run logs thousands of lines in a burst.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export const SOURCE_FILE = 'controller/src/bgp/test/bgp_stress_test.cc';

const SANDESH_LEVELS = [
  'SYS_EMERG',
  'SYS_ALERT',
  'SYS_CRIT',
  'SYS_ERR',
  'SYS_WARN',
  'SYS_NOTICE',
  'SYS_INFO',
  'SYS_DEBUG',
] as const;
export type SandeshLevel = (typeof SANDESH_LEVELS)[number];

export interface ToolLoggerOptions {
  logLevel: string;
  /** '<stdout>' or a file path. */
  logFile: string;
  disabled: boolean;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

export class ToolLogger {
  private readonly threshold: number;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly prefixHost = hostname();
  private readonly zone = zoneName(new Date());
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;

  constructor(private readonly opts: ToolLoggerOptions) {
    const level = SANDESH_LEVELS.indexOf(opts.logLevel as SandeshLevel);
    // An unknown level name is INVALID in sandesh, which filters nothing.
    this.threshold = level < 0 ? SANDESH_LEVELS.length : level;
    if (opts.logFile === '<stdout>') {
      this.fd = 1;
      this.ownsFd = false;
    } else {
      this.fd = openSync(opts.logFile, 'a');
      this.ownsFd = true;
    }
  }

  enabled(level: SandeshLevel): boolean {
    return !this.opts.disabled && SANDESH_LEVELS.indexOf(level) <= this.threshold;
  }

  /** BGP_STRESS_TEST_LOG(str) from function `func` at source line `line`. */
  debug(func: string, line: number, text: string): void {
    if (!this.enabled('SYS_DEBUG')) return;
    this.emit(`BGP_STRESS_TEST_LOG: ${SOURCE_FILE}:${func}():${line} ${text}`);
  }

  private emit(message: string): void {
    const d = new Date();
    const ms = d.getMilliseconds();
    const stamp =
      `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${DAYS[d.getDay()]} ` +
      `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}:${String(ms).padStart(3, '0')}.000 ${this.zone}`;
    const line = `${stamp} ${this.prefixHost} [Thread ${process.pid}, Pid ${process.pid}]: ${message}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes > 64 * 1024) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    // stdout through the stream (synchronous for pipes and files on Linux, and EAGAIN-safe).
    if (this.ownsFd) writeSync(this.fd, data);
    else process.stdout.write(data);
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}
