/** Reads `gobgp neighbor -j` and `gobgp global rib summary -a ipv4 -j` into the common state. */
import { z } from 'zod';
import { sessionState, type BgpDaemonPeerState } from './bgp-daemon.ts';

/** gobgp's session_state enum (its API numbers them 1..6 in RFC 4271 order). */
const SESSION_STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

const neighborsSchema = z.array(
  z.object({
    state: z.object({
      neighbor_address: z.string(),
      session_state: z.union([z.number(), z.string()]).optional(),
    }),
    afi_safis: z
      .array(
        z.object({
          config: z
            .object({ family: z.object({ afi: z.number().optional(), safi: z.number().optional() }) })
            .optional(),
          // Counters are left out when 0.
          state: z.object({ received: z.number().optional(), accepted: z.number().optional() }).optional(),
        }),
      )
      .optional(),
  }),
);

const ribSummarySchema = z.object({ num_destination: z.number().optional() });

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`gobgp ${what}: not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
}

export function parseGobgpNeighbors(text: string): BgpDaemonPeerState[] {
  const parsed = neighborsSchema.safeParse(parseJson(text, 'neighbor -j'));
  if (!parsed.success) throw new Error(`gobgp neighbor -j: unexpected shape: ${parsed.error.message}`);
  return parsed.data.map((n) => {
    const raw = n.state.session_state;
    const state = typeof raw === 'number' ? sessionState(SESSION_STATES[raw] ?? '') : sessionState(raw ?? '');
    // IPv4 unicast is the only family configured: its counter is the peer's.
    const ipv4 = n.afi_safis?.find(
      (a) => (a.config?.family.afi ?? 1) === 1 && (a.config?.family.safi ?? 1) === 1,
    );
    return { address: n.state.neighbor_address, state, prefixesReceived: ipv4?.state?.received ?? 0 };
  });
}

/** `{}` when the RIB is empty. */
export function parseGobgpRibSummary(text: string): number {
  const parsed = ribSummarySchema.safeParse(parseJson(text, 'global rib summary -j'));
  if (!parsed.success)
    throw new Error(`gobgp global rib summary -j: unexpected shape: ${parsed.error.message}`);
  return parsed.data.num_destination ?? 0;
}
