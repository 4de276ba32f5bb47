/**
 * GoBGP's gRPC API, read directly: ListPeer (sessions and per-peer prefixes) and GetTable (RIB size),
 * over the unix socket gobgpd also listens on (`--api-hosts …,unix://<dir>/api.sock`), so the root
 * namespace reaches a daemon inside its namespace without a process per query (the gobgp CLI through
 * `ip netns exec` costs 30-40 ms idle and up to seconds under load). One channel stays open.
 */
import { fileURLToPath } from 'node:url';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { z } from 'zod';
import { sessionState, type BgpDaemonPeerState } from './bgp-daemon.ts';

const PROTO = fileURLToPath(new URL('./gobgp-api.proto', import.meta.url));
const SERVICE = 'apipb.GobgpApi';

/** Decoded with enums as their names, 64-bit counters as numbers, absent fields as their defaults. */
const definition = loadSync(PROTO, { keepCase: true, enums: String, longs: Number, defaults: true });

function method(name: string): MethodDefinition<object, object> {
  const service = definition[SERVICE];
  const m = service && name in service ? (service as Record<string, unknown>)[name] : undefined;
  if (typeof m !== 'object' || m === null || !('path' in m))
    throw new Error(`${PROTO}: service ${SERVICE} has no method ${name}`);
  return m as MethodDefinition<object, object>;
}

const LIST_PEER = method('ListPeer');
const GET_TABLE = method('GetTable');

const familySchema = z.object({ afi: z.string(), safi: z.string() }).nullable();

const listPeerSchema = z.object({
  peer: z.object({
    state: z.object({ neighbor_address: z.string().min(1), session_state: z.string() }),
    afi_safis: z.array(
      z.object({
        config: z.object({ family: familySchema }).nullable(),
        state: z.object({ family: familySchema, received: z.number() }).nullable(),
      }),
    ),
  }),
});

const getTableSchema = z.object({ num_destination: z.number() });

const IPV4_UNICAST = { afi: 'AFI_IP', safi: 'SAFI_UNICAST' };

function isIpv4Unicast(f: z.infer<typeof familySchema>): boolean {
  return f?.afi === IPV4_UNICAST.afi && f.safi === IPV4_UNICAST.safi;
}

export class GobgpApiClient {
  private readonly client: Client;
  private readonly what: string;

  constructor(socketPath: string, what = `gobgp API at unix://${socketPath}`) {
    this.what = what;
    this.client = new Client(`unix://${socketPath}`, credentials.createInsecure());
  }

  /** Every configured neighbor with its session state and IPv4 unicast prefixes received. */
  listPeers(timeoutMs: number, signal?: AbortSignal): Promise<BgpDaemonPeerState[]> {
    return new Promise((resolve, reject) => {
      const peers: BgpDaemonPeerState[] = [];
      let failed: Error | undefined;
      const call = this.client.makeServerStreamRequest(
        LIST_PEER.path,
        LIST_PEER.requestSerialize,
        LIST_PEER.responseDeserialize,
        { address: '', enableAdvertised: false },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      call.on('data', (reply: unknown) => {
        if (failed) return;
        const parsed = listPeerSchema.safeParse(reply);
        if (!parsed.success) {
          failed = new Error(`${this.what}: ListPeer: unexpected reply: ${parsed.error.message}`);
          call.cancel();
          return;
        }
        const p = parsed.data.peer;
        const ipv4 = p.afi_safis.find((a) => isIpv4Unicast(a.state?.family ?? a.config?.family ?? null));
        peers.push({
          address: p.state.neighbor_address,
          state: sessionState(p.state.session_state),
          prefixesReceived: ipv4?.state?.received ?? 0,
        });
      });
      call.on('error', (err: ServiceError) => {
        signal?.removeEventListener('abort', onAbort);
        reject(failed ?? this.error('ListPeer', err, signal));
      });
      call.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        if (failed) reject(failed);
        else resolve(peers);
      });
    });
  }

  /** Distinct IPv4 unicast destinations in the global RIB. */
  ribDestinations(timeoutMs: number, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(
        GET_TABLE.path,
        GET_TABLE.requestSerialize,
        GET_TABLE.responseDeserialize,
        { table_type: 'GLOBAL', family: IPV4_UNICAST, name: '' },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, reply) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) return reject(this.error('GetTable', err, signal));
          const parsed = getTableSchema.safeParse(reply);
          if (!parsed.success)
            return reject(new Error(`${this.what}: GetTable: unexpected reply: ${parsed.error.message}`));
          resolve(parsed.data.num_destination);
        },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  close(): void {
    this.client.close();
  }

  private error(rpc: string, err: ServiceError, signal: AbortSignal | undefined): Error {
    if (err.code === status.CANCELLED && signal?.aborted) return new Error(`${this.what}: ${rpc}: aborted`);
    return new Error(`${this.what}: ${rpc} failed: ${err.message}`);
  }
}
