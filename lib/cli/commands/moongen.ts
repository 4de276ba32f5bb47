/** `netscale moongen parse <log>`: summarize a MoonGen RFC 2544 log, or fail clearly when it holds no report. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseMoonGenLog } from '../../trafficgen/moongen/log-parser.ts';
import { moonGenMetrics, moonGenSummaryJson } from '../../trafficgen/moongen/log-metrics.ts';
import { parseLinkSpeed } from '../../trafficgen/line-rate.ts';

interface ParseOptions {
  frameSize?: string;
  link: string;
  json?: boolean;
}

export function register(program: Command): void {
  const moongen = program.command('moongen').description('MoonGen traffic generator tools');
  moongen
    .command('parse <log>')
    .description('Parse a MoonGen log: frames, loss, fps, Mbps (with L1 overhead) and % of line rate')
    .option('--frame-size <bytes>', 'frame size when the log has no [PARAMETERS] line')
    .option('--link <speed>', 'link speed: 1G, 10G, 25G, 40G or 100G', '10G')
    .option('--json', 'print the summary as JSON')
    .action(async (logPath: string, opts: ParseOptions) => {
      let frameSize: number | undefined;
      if (opts.frameSize !== undefined) {
        frameSize = Number(opts.frameSize);
        if (!Number.isInteger(frameSize) || frameSize < 64) {
          throw new Error(`--frame-size: expected an integer >= 64, found "${opts.frameSize}"`);
        }
      }
      const linkGbps = parseLinkSpeed(opts.link);
      let text: string;
      try {
        text = await readFile(logPath, 'utf8');
      } catch (err) {
        throw new Error(`${logPath}: cannot read the log: ${(err as Error).message}`);
      }
      const m = moonGenMetrics(parseMoonGenLog(text, logPath), { linkGbps, frameSize, source: logPath });
      if (opts.json) {
        process.stdout.write(JSON.stringify(moonGenSummaryJson(m)) + '\n');
        return;
      }
      const f = (n: number | null, d: number) => (n === null ? 'n/a' : n.toFixed(d));
      const lines = [
        `${logPath}: ${m.frameSize} B frames, ${m.streams} stream(s), ${m.linkGbps}G links`,
        `  total  tx ${m.txFrames} rx ${m.rxFrames} lost ${m.lossFrames} (${f(m.lossPct, 6)} %)  ` +
          `tx ${f(m.txMpps, 4)} Mpps  rx ${f(m.rxMpps, 4)} Mpps = ${f(m.rxFps, 0)} fps, ${f(m.rxMbps, 1)} Mbps, ${f(m.rxPctLineRate, 3)} % of line rate`,
        ...m.directions.map(
          (d) =>
            `  ${d.from}->${d.to}   tx ${d.txFrames} rx ${d.rxFrames} lost ${d.lossFrames} (${f(d.lossPct, 6)} %)  ` +
            `rx ${f(d.rxMpps, 4)} Mpps = ${f(d.rxFps, 0)} fps, ${f(d.rxMbps, 1)} Mbps, ${f(d.rxPctLineRate, 3)} % of line rate`,
        ),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
