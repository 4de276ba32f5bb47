/** Which prefixes a daemon run asks the daemon to stamp: the last of each peer, per iteration. */
import { describe, expect, it } from 'vitest';
import { watchPrefixes } from '../../lib/scale/daemon-scale-session.ts';
import { parseScenario } from '../../lib/scenario/load.ts';

const scenario = (bgpDaemon: Record<string, unknown>) =>
  parseScenario(
    JSON.stringify({
      name: 'watch',
      iterations: [
        { instances: 1, agents: 2, routes: 1000 },
        { instances: 1, agents: 3, routes: 10 },
      ],
      bgpDaemon,
      vns: { create: false },
    }),
    'watch.yaml',
  );

describe('watched prefixes', () => {
  it('are the last /24 of each peer block, every iteration, each once', () => {
    // Peer i of an iteration announces routes /24s from 10.0.0.0 + i x routes.
    expect(watchPrefixes(scenario({}))).toEqual([
      '10.3.231.0/24',
      '10.7.207.0/24',
      '10.0.9.0/24',
      '10.0.19.0/24',
      '10.0.29.0/24',
    ]);
  });

  it('are none with shared prefixes or with the own record turned off', () => {
    expect(watchPrefixes(scenario({ mode: 'shared' }))).toEqual([]);
    expect(watchPrefixes(scenario({ ownRecord: false }))).toEqual([]);
  });
});
