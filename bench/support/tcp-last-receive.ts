/**
 * When each TCP connection last received data, from the kernel's own record (`ss -tin`: lastrcv, ms since
 * the last data segment arrived, kept in jiffies: 4 ms at this kernel's HZ=250). Read in the DUT's
 * namespace after an injection, it tells when the last UPDATE reached the DUT's host, whatever the daemon
 * made of it since; valid while no later segment (a KEEPALIVE) arrived, so the benchmark's sessions hold
 * for an hour.
 */

export interface TcpLastReceive {
  local: string;
  peer: string;
  /** Ms between the last data segment's arrival and the read. */
  lastReceiveMs: number;
  bytesReceived: number;
}

/** `ss -HtinO state established` lines: "0 0 198.18.0.1:179 198.18.1.1:41234 cubic ... lastrcv:12 ...". */
export function parseTcpInfo(text: string): TcpLastReceive[] {
  const out: TcpLastReceive[] = [];
  for (const line of text.split('\n')) {
    const ends = /(\d+\.\d+\.\d+\.\d+):\d+\s+(\d+\.\d+\.\d+\.\d+):\d+/.exec(line);
    const lastrcv = /\blastrcv:(\d+)/.exec(line);
    if (!ends || !lastrcv) continue;
    const bytes = /\bbytes_received:(\d+)/.exec(line);
    out.push({
      local: ends[1]!,
      peer: ends[2]!,
      lastReceiveMs: Number(lastrcv[1]),
      bytesReceived: bytes ? Number(bytes[1]) : 0,
    });
  }
  return out;
}
