/**
 * `netscale bgp-load --spec <file.json>`: the native BGP load generator as its own process (run it
 * inside a network namespace with `ip netns exec`). Prints JSON lines (lib/bgpload/json-lines.ts) and
 * takes commands on stdin (its first line, `connecting`, marks when it begins bringing up its sessions):
 * announce, withdraw, flap <n>, churn-withdraw <share>, churn-announce <share>, probe <peer> <prefix> <seq>,
 * records, quit; EOF is quit.
 */
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { BgpLoadGenerator } from '../../bgpload/bgp-load-generator.ts';
import { jsonLineWriter, now, readCommands, type EventWriter } from '../../bgpload/json-lines.ts';
import { readSpecFile } from '../../bgpload/spec-file.ts';
import { bgpLoadSpecSchema, generatorOptions } from '../../bgpload/spec.ts';

async function runCommand(gen: BgpLoadGenerator, line: string, emit: EventWriter): Promise<boolean> {
  const [cmd, arg, ...extra] = line.split(/\s+/);
  const started = now();
  const timed = async (
    name: 'announce' | 'withdraw' | 'flap' | 'churn-withdraw' | 'churn-announce',
    run: () => Promise<void>,
  ) => {
    await run();
    const t = now();
    emit({ event: 'done', cmd: name, t, ms: t - started });
  };
  if (cmd === 'probe') {
    // probe <peer> <prefix> <seq>: answered by a 'probe' event whatever happens (see ProcessEvent).
    const [peer = '', prefix = '', seqText = ''] = [arg, ...extra];
    const seq = Number(seqText);
    try {
      if (extra.length !== 2 || !Number.isInteger(seq))
        throw new Error(`expected "probe <peer> <prefix> <seq>", found "${line}"`);
      emit({ event: 'probe', peer, seq, t: await gen.probe(peer, prefix) });
    } catch (err) {
      emit({ event: 'probe', peer, seq, t: now(), failed: (err as Error).message });
    }
    return true;
  }
  try {
    const takesArg = cmd === 'flap' || cmd === 'churn-withdraw' || cmd === 'churn-announce';
    if (extra.length > 0 || (arg !== undefined && !takesArg))
      throw new Error(`unexpected argument in "${line}"`);
    switch (cmd) {
      case 'announce':
        await timed('announce', () => gen.announce());
        return true;
      case 'withdraw':
        await timed('withdraw', () => gen.withdraw());
        return true;
      case 'flap': {
        const n = Number(arg);
        if (arg === undefined || !Number.isInteger(n))
          throw new Error(`flap: expected "flap <n>", found "${line}"`);
        await timed('flap', () => gen.flap(n));
        return true;
      }
      case 'churn-withdraw':
      case 'churn-announce': {
        const share = Number(arg);
        if (arg === undefined || !(share > 0 && share <= 1))
          throw new Error(`${cmd}: expected "${cmd} <share in (0, 1]>", found "${line}"`);
        await timed(cmd, () =>
          cmd === 'churn-withdraw' ? gen.withdrawShare(share) : gen.announceShare(share),
        );
        return true;
      }
      case 'records':
        emit({ event: 'records', records: gen.records(), t: now() });
        return true;
      case 'quit':
        return false;
      default:
        throw new Error(
          `unknown command "${line}" (expected announce, withdraw, flap <n>, churn-withdraw <share>, churn-announce <share>, probe <peer> <prefix> <seq>, records, quit)`,
        );
    }
  } catch (err) {
    emit({ event: 'error', cmd: cmd ?? '', message: (err as Error).message, t: now() });
    return true;
  }
}

export async function runBgpLoad(specFile: string, emit: EventWriter, stdin: Readable): Promise<number> {
  const spec = await readSpecFile(bgpLoadSpecSchema, specFile);
  const gen = new BgpLoadGenerator({ ...generatorOptions(spec), onEvent: emit });
  try {
    try {
      // Encoded before the first session comes up: bring-up and feed times hold no encoding.
      gen.prepare();
      emit({ event: 'connecting', peers: spec.peers.count, t: now() });
      await gen.connect();
    } catch (err) {
      emit({ event: 'error', message: (err as Error).message, t: now() });
      return 1;
    }
    emit({ event: 'ready', peers: gen.establishedPeers, encodeMs: gen.encodeMs, t: now() });
    await readCommands(stdin, (line) => runCommand(gen, line, emit));
    return 0;
  } finally {
    await gen.close();
    emit({ event: 'exit', t: now() });
  }
}

export function register(program: Command): void {
  program
    .command('bgp-load')
    .description(
      'native BGP load generator: JSON lines on stdout, commands on stdin (announce, withdraw, flap <n>, churn-withdraw <share>, churn-announce <share>, probe <peer> <prefix> <seq>, records, quit)',
    )
    .requiredOption('--spec <file>', 'spec file (JSON): dut, peers, prefixes, attributes, session settings')
    .action(async (o: { spec: string }) => {
      process.exitCode = await runBgpLoad(o.spec, jsonLineWriter(process.stdout), process.stdin);
    });
}
