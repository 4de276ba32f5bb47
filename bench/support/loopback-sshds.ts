/**
 * Many lab hosts reached over SSH on one machine: one OpenSSH sshd per host, each listening on its own
 * loopback address (every 127.x address is this machine), each with its own host key and client key.
 *
 *   const fleet = await startLoopbackSshds(50, { setEnv: { HOME: emptyDir } });
 *   // fleet.sshds[i].host === '127.77.0.<i + 1>'
 *   await fleet.stop();
 *
 * One sshd per address rather than one sshd for all: a lab host is known by its address, the
 * bgp_stress_test planner needs test servers whose addresses differ in the last octet, and one sshd
 * listens on at most 16 addresses (OpenSSH's MAX_LISTEN_SOCKS).
 */
import { rmSync } from 'node:fs';
import { startSshd, type Sshd, type SshdOptions } from '../../test/support/sshd.ts';

export interface LoopbackSshds {
  sshds: Sshd[];
  /** Stops every sshd and removes its temp dir. */
  stop(): Promise<void>;
  /** The same without waiting (TERM sent, dirs removed): for a process 'exit' handler. */
  stopNow(): void;
}

/** At most 254 hosts: <subnet>.1 .. <subnet>.<count>, each sshd started with `opts`. */
export async function startLoopbackSshds(
  count: number,
  opts: Omit<SshdOptions, 'listenAddress'> & { subnet?: string } = {},
): Promise<LoopbackSshds> {
  const { subnet = '127.77.0', ...sshd } = opts;
  if (!Number.isInteger(count) || count < 1 || count > 254)
    throw new Error(`loopback sshds: count: expected 1..254, found ${count}`);
  const started: Sshd[] = [];
  const stop = async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  };
  try {
    // One after another: each start sets the password account's password, and /etc/passwd is locked meanwhile.
    for (let i = 1; i <= count; i++)
      started.push(await startSshd({ ...sshd, listenAddress: `${subnet}.${i}` }));
  } catch (err) {
    await stop();
    throw err;
  }
  const stopNow = () => {
    for (const s of started.splice(0)) {
      try {
        process.kill(s.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(s.dir, { recursive: true, force: true });
    }
  };
  return { sshds: [...started], stop, stopNow };
}
