/**
 * bgp_stress_test emulator entry point (run through sim/bin/bgp_stress_test).
 * Exit codes as the real binary: --help 1, range error 255 (exit(-1)),
 * command-line error 134 (uncaught boost exception -> abort), test failure 1.
 */
import { hostname } from 'node:os';
import { CommandLineError, helpText, parseCommandLine } from './command-line.ts';
import { rangeError, toStressOptions } from './stress-options.ts';
import { StressRun } from './stress-run.ts';
import { ToolLogger } from './tool-logger.ts';

function stdinClosed(): Promise<void> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    if (stdin.readableEnded || stdin.destroyed) return resolve();
    stdin.on('end', resolve);
    stdin.on('close', resolve);
    stdin.on('error', () => resolve());
    // Whatever is typed into the "python shell" is read and ignored.
    stdin.on('data', () => {});
    stdin.resume();
  });
}

async function main(argv: string[]): Promise<number> {
  let given;
  try {
    given = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof CommandLineError)) throw err;
    process.stderr.write(
      `terminate called after throwing an instance of 'boost::wrapexcept<boost::program_options::${err.boostType}>'\n` +
        `  what():  ${err.message}\n`,
    );
    return 134;
  }
  const o = toStressOptions(given);
  if (o.help) {
    process.stdout.write(helpText());
    return 1;
  }
  const range = rangeError(o);
  if (range) {
    process.stdout.write(`${range}\n`);
    return 255;
  }
  if (o.xmppPort === undefined) {
    process.stderr.write(
      'bgp_stress_test (netscale emulator): --xmpp-port is required; only the external control-node mode ' +
        'is emulated (the real tool otherwise runs its own in-process control node)\n',
    );
    return 2;
  }
  const logFile =
    o.logFile !== '<stdout>' && o.logFileUniquefy ? `${o.logFile}.${hostname()}.${process.pid}` : o.logFile;
  const logger = new ToolLogger({ logLevel: o.logLevel, logFile, disabled: o.logDisable });
  const stop = new AbortController();
  let terms = 0;
  const onTerm = (signal: NodeJS.Signals) => {
    terms++;
    // A second signal means "now": skip the withdraw and teardown.
    if (terms > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop.abort(new Error(`${signal} received`));
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  const run = new StressRun(o, {
    logger,
    stdout: (text) => process.stdout.write(text),
    stdinClosed,
    stop: stop.signal,
    env: process.env,
  });
  try {
    return await run.run();
  } finally {
    logger.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bgp_stress_test: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  },
);
