/**
 * Reads `show bgp ipv4 unicast summary json` (sessions) and `show bgp ipv4 unicast statistics json`
 * (prefixes: the summary's ribCount counts the table's internal tree nodes too, 199 for 100 prefixes).
 */
import { z } from 'zod';
import { sessionState, type BgpDaemonPeerState } from './bgp-daemon.ts';

const summarySchema = z.object({
  peers: z
    .record(
      z.string(),
      z.object({
        state: z.string(),
        // Missing, or "N/A", before the session is up.
        pfxRcd: z.union([z.number(), z.string()]).optional(),
      }),
    )
    .optional(),
});

const statisticsSchema = z.object({
  ipv4Unicast: z.array(z.object({ totalPrefixes: z.number().optional() })).optional(),
});

function parseJson(text: string, command: string): unknown {
  try {
    // With no BGP instance yet vtysh prints nothing or "{}".
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new Error(`vtysh ${command}: not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
}

export function parseFrrSummary(text: string): BgpDaemonPeerState[] {
  const command = 'show bgp ipv4 unicast summary json';
  const parsed = summarySchema.safeParse(parseJson(text, command));
  if (!parsed.success) throw new Error(`vtysh ${command}: unexpected shape: ${parsed.error.message}`);
  return Object.entries(parsed.data.peers ?? {}).map(([address, p]) => ({
    address,
    state: sessionState(p.state),
    prefixesReceived: typeof p.pfxRcd === 'number' ? p.pfxRcd : 0,
  }));
}

export function parseFrrStatistics(text: string): number {
  const command = 'show bgp ipv4 unicast statistics json';
  const parsed = statisticsSchema.safeParse(parseJson(text, command));
  if (!parsed.success) throw new Error(`vtysh ${command}: unexpected shape: ${parsed.error.message}`);
  return parsed.data.ipv4Unicast?.[0]?.totalPrefixes ?? 0;
}
