/** `netscale lab up|down|status`: the embedded lab (labs/sim.yaml) in the background. */
import type { Command } from 'commander';
import { IntrospectClient } from '../../contrail/introspect-client.ts';
import { isOurProcess, labDown, labUp, readLabState } from '../../../sim/lab/background-lab.ts';
import { readSimLabFile } from '../../../sim/lab/sim-lab-file.ts';
import { prepareMoonGenSimDir } from '../../../sim/moongen/base-dir.ts';

const DEFAULT_LAB_FILE = 'labs/sim.yaml';

export function registerLabSim(lab: Command): void {
  lab
    .command('up')
    .description(
      'start the embedded lab in the background (control node, introspect and config API emulator)',
    )
    .option('--lab <file>', 'embedded-lab file', DEFAULT_LAB_FILE)
    .option('--json', 'print the lab state as JSON')
    .action(async (o: { lab: string; json?: boolean }) => {
      const settings = readSimLabFile(o.lab);
      const { state, alreadyUp } = await labUp(settings);
      // The embedded traffic generators are MoonGen emulators laid out like a real checkout.
      for (const tg of settings.lab.trafficGenerators) await prepareMoonGenSimDir(tg.baseDir);
      if (o.json) return void process.stdout.write(JSON.stringify({ ...state, alreadyUp }) + '\n');
      process.stdout.write(
        `${alreadyUp ? 'embedded lab already up' : 'embedded lab up'} (pid ${state.pid}, run tag ${state.runTag})\n` +
          `  xmpp        ${state.endpoints.xmpp.host}:${state.endpoints.xmpp.port}\n` +
          `  introspect  ${state.endpoints.introspect}\n` +
          `  config API  ${state.endpoints.configApi}\n` +
          `  log         ${state.logFile}\n` +
          settings.lab.trafficGenerators.map((tg) => `  MoonGen     ${tg.baseDir}\n`).join(''),
      );
    });

  lab
    .command('down')
    .description('stop the embedded lab started by `lab up` (its recorded process group only)')
    .option('--lab <file>', 'embedded-lab file', DEFAULT_LAB_FILE)
    .action(async (o: { lab: string }) => {
      const pid = await labDown(readSimLabFile(o.lab).stateDir);
      process.stdout.write(
        pid === undefined ? 'embedded lab is not running\n' : `embedded lab stopped (pid ${pid})\n`,
      );
    });

  lab
    .command('status')
    .description('show whether the embedded lab runs, its endpoints and XMPP neighbors')
    .option('--lab <file>', 'embedded-lab file', DEFAULT_LAB_FILE)
    .option('--json', 'print as JSON')
    .action(async (o: { lab: string; json?: boolean }) => {
      const state = readLabState(readSimLabFile(o.lab).stateDir);
      const running = state !== undefined && isOurProcess(state.pid, state.runTag);
      let xmppUp: number | undefined;
      if (running) {
        xmppUp = await new IntrospectClient(state.endpoints.introspect, { timeoutMs: 3000 })
          .neighborCount('xmpp', 'up')
          .catch(() => undefined);
      }
      if (o.json) return void process.stdout.write(JSON.stringify({ running, state, xmppUp }) + '\n');
      if (!running) {
        process.stdout.write(
          `embedded lab is not running${state ? ' (stale state; `lab down` cleans it)' : ''}\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `embedded lab up since ${state.startedAt} (pid ${state.pid})\n` +
          `  xmpp        ${state.endpoints.xmpp.host}:${state.endpoints.xmpp.port}  (${xmppUp ?? '?'} agents Established)\n` +
          `  introspect  ${state.endpoints.introspect}\n` +
          `  config API  ${state.endpoints.configApi}\n`,
      );
    });
}
