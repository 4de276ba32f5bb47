import type { BgpDaemon, BgpDaemonKind } from './bgp-daemon.ts';
import { BirdDaemon } from './bird-daemon.ts';
import { FrrDaemon } from './frr-daemon.ts';
import { GobgpDaemon } from './gobgp-daemon.ts';

/** The driver for one daemon kind (not started: call start()). */
export function createBgpDaemon(kind: BgpDaemonKind): BgpDaemon {
  switch (kind) {
    case 'gobgp':
      return new GobgpDaemon();
    case 'bird':
      return new BirdDaemon();
    case 'frr':
      return new FrrDaemon();
  }
}
