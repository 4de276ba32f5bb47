/**
 * The address plan shared by both topologies: the DUT at <base>.0.1, the monitor at <base>.0.2, the
 * generator peers from <base>.1.1 on, all inside one /16 (198.18.0.0/16 is half of RFC 2544's
 * benchmarking range; on loopback 127.18.0.0/16 is part of 127/8, routed to lo already).
 */

export const PREFIX_LENGTH = 16;
/** Addresses left for generator peers after <base>.0.x: the /16 minus its first /24 and broadcast. */
export const MAX_PEERS = 65_536 - 256 - 1;

export interface AddressPlan {
  dut: string;
  monitor: string;
  peers: string[];
}

export function addressPlan(base: '198.18' | '127.18', peers: number): AddressPlan {
  if (!Number.isInteger(peers) || peers < 0 || peers > MAX_PEERS)
    throw new RangeError(`topology: peers: expected an integer from 0 to ${MAX_PEERS}, found ${peers}`);
  const at = (offset: number) => `${base}.${offset >> 8}.${offset & 0xff}`;
  return {
    dut: at(1),
    monitor: at(2),
    peers: Array.from({ length: peers }, (_, i) => at(257 + i)),
  };
}
