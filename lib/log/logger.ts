/**
 * Small leveled logger writing one line per event to stderr, every line
 * passed through the secret redactor. NETSCALE_LOG_LEVEL picks the threshold
 * (debug|info|warn|error, default info).
 */
import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stderr.write(line + '\n');

/** Redirects all log output (tests capture it this way). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const prev = sink;
  sink = next;
  return prev;
}

function threshold(): number {
  const name = process.env.NETSCALE_LOG_LEVEL as LogLevel | undefined;
  return ORDER[name ?? 'info'] ?? ORDER.info;
}

export function createLogger(scope: string): Logger {
  const write = (level: LogLevel, msg: string) => {
    if (ORDER[level] < threshold()) return;
    sink(redact(`${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${msg}`));
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m, err) =>
      write('error', err === undefined ? m : `${m}: ${err instanceof Error ? err.message : String(err)}`),
    child: (sub) => createLogger(`${scope}/${sub}`),
  };
}
