/**
 * The active end of BGP sessions to a daemon under test, built on lib/bgp only: connects from a given
 * source address, opens the session, announces its prefixes in packed UPDATEs and counts the IPv4
 * prefixes the daemon sends it (the monitor's view), opening a session again when the daemon closes it. Reports through callbacks; the test's truth is
 * what was announced here against what the daemon says it holds, and what came back out of it.
 */
import net from 'node:net';
import { decodeMessage } from '../../lib/bgp/decode.ts';
import { encodeMessage } from '../../lib/bgp/encode.ts';
import { BgpFramer } from '../../lib/bgp/framer.ts';
import { packAnnouncements } from '../../lib/bgp/update-packing.ts';
import { Afi, Safi } from '../../lib/bgp/wire-codes.ts';

export interface SpeakerSession {
  localAddress: string;
  as: number;
  /** NEXT_HOP of the announcements (DaemonTopology.peerNextHops). */
  nextHop: string;
  prefixes: string[];
}

export interface SpeakerEvents {
  established(local: string): void;
  received(local: string, prefixes: number): void;
  failed(local: string, reason: string): void;
  /** The TCP connection failed or closed before the session was up: it is opened again. */
  retrying(local: string, reason: string): void;
}

const HOLD_TIME_S = 90;
/** As a BGP speaker's ConnectRetry: a session the daemon closed or refused is opened again this much later. */
const CONNECT_RETRY_MS = 1000;

/** Keeps one session up for the life of the process: a closed or refused session is opened again. */
export function runSession(
  dut: { address: string; port: number },
  s: SpeakerSession,
  events: SpeakerEvents,
): void {
  const socket = connectOnce(dut, s, events);
  socket.on('close', () => setTimeout(() => runSession(dut, s, events), CONNECT_RETRY_MS));
}

function connectOnce(
  dut: { address: string; port: number },
  s: SpeakerSession,
  events: SpeakerEvents,
): net.Socket {
  const held = new Set<string>();
  const framer = new BgpFramer(`${dut.address}:${dut.port}`);
  const socket = net.connect({ host: dut.address, port: dut.port, localAddress: s.localAddress });
  let established = false;
  let keepalives: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(
      encodeMessage({
        type: 'OPEN',
        version: 4,
        asn: s.as,
        holdTimeSeconds: HOLD_TIME_S,
        bgpId: s.localAddress,
        capabilities: [
          { kind: 'multiprotocol', afi: Afi.IPV4, safi: Safi.UNICAST },
          { kind: 'four-octet-as', asn: s.as },
          { kind: 'route-refresh' },
        ],
      }),
    );
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const buf of framer.push(chunk)) {
        const m = decodeMessage(buf, { peer: `${dut.address} (from ${s.localAddress})` });
        if (m.type === 'OPEN') socket.write(encodeMessage({ type: 'KEEPALIVE' }));
        else if (m.type === 'KEEPALIVE' && !established) {
          established = true;
          keepalives = setInterval(
            () => socket.write(encodeMessage({ type: 'KEEPALIVE' })),
            (HOLD_TIME_S / 3) * 1000,
          );
          keepalives.unref();
          events.established(s.localAddress);
          if (s.prefixes.length > 0)
            for (const u of packAnnouncements({
              afi: Afi.IPV4,
              prefixes: s.prefixes,
              attributes: [
                { kind: 'origin', origin: 'igp' },
                { kind: 'as-path', segments: [{ type: 'sequence', asns: [s.as] }] },
                { kind: 'next-hop', address: s.nextHop },
              ],
            }))
              socket.write(u);
        } else if (m.type === 'UPDATE') {
          const before = held.size;
          for (const p of m.withdrawn) held.delete(p);
          for (const p of m.nlri) held.add(p);
          if (held.size !== before) events.received(s.localAddress, held.size);
        } else if (m.type === 'NOTIFICATION') events.failed(s.localAddress, `NOTIFICATION ${m.reason}`);
      }
    } catch (err) {
      events.failed(s.localAddress, (err as Error).message);
      socket.destroy();
    }
  });
  socket.on('error', (err) => (established ? events.failed : events.retrying)(s.localAddress, err.message));
  socket.on('close', () => clearInterval(keepalives));
  return socket;
}

/** `count` distinct /24s for peer `index`: 10.<index+1>.<i>.0/24 (count <= 256 per peer). */
export function peerPrefixes(index: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.${index + 1}.${i}.0/24`);
}
