/** `netscale lab up|down|status`: the embedded lab (labs/sim.yaml) in the background. */
import path from 'node:path';
import type { Command } from 'commander';
import { IntrospectClient } from '../../contrail/introspect-client.ts';
import { loadEnv } from '../../config/env.ts';
import { loadLabFile, readEmbeddedSection } from '../../config/load-lab.ts';
import { embeddedVars } from '../../lab/embedded-control-node.ts';
import { isOurProcess, labDown, labUp, readLabState } from '../../lab/background-lab.ts';
import { prepareMoonGenSimDir } from '../../../sim/moongen/base-dir.ts';

/** The lab file's `sim` section with its state dir made absolute; an error when it has none. */
function embeddedSection(file: string) {
  const section = readEmbeddedSection(file);
  if (!section) throw new Error(`${file}: no "sim" section: this is not an embedded-lab file`);
  return { ...section.sim, stateDir: path.resolve(section.sim.stateDir) };
}

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
      const { state, alreadyUp } = await labUp(o.lab, embeddedSection(o.lab));
      // The whole file validates against the endpoints it now has.
      const lab = loadLabFile(o.lab, {
        ...loadEnv().vars,
        ...embeddedVars(state.endpoints, state.pidFile),
      }).config;
      // The embedded traffic generators are MoonGen emulators laid out like a real checkout.
      for (const tg of lab.trafficGenerators) await prepareMoonGenSimDir(tg.baseDir);
      if (o.json) return void process.stdout.write(JSON.stringify({ ...state, alreadyUp }) + '\n');
      process.stdout.write(
        `${alreadyUp ? 'embedded lab already up' : 'embedded lab up'} (pid ${state.pid}, run tag ${state.runTag})\n` +
          `  xmpp        ${state.endpoints.xmpp.host}:${state.endpoints.xmpp.port}\n` +
          `  introspect  ${state.endpoints.introspect}\n` +
          `  config API  ${state.endpoints.configApi}\n` +
          `  log         ${state.logFile}\n` +
          lab.trafficGenerators.map((tg) => `  MoonGen     ${tg.baseDir}\n`).join(''),
      );
    });

  lab
    .command('down')
    .description('stop the embedded lab started by `lab up` (its recorded process group only)')
    .option('--lab <file>', 'embedded-lab file', DEFAULT_LAB_FILE)
    .action(async (o: { lab: string }) => {
      const pid = await labDown(embeddedSection(o.lab).stateDir);
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
      const state = readLabState(embeddedSection(o.lab).stateDir);
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
