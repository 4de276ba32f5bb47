/**
 * GoBGP's gRPC API, read directly: ListPeer (sessions and per-peer prefixes), GetTable (RIB size) and
 * WatchEvent (each UPDATE as gobgpd begins to process it),
 * over the unix socket gobgpd also listens on (`--api-hosts …,unix://<dir>/api.sock`), so the root
 * namespace reaches a daemon inside its namespace without a process per query (the gobgp CLI through
 * `ip netns exec` costs 30-40 ms idle and up to seconds under load). One channel stays open.
 */
import { fileURLToPath } from 'node:url';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { z } from 'zod';
import { monotonicMs } from '../clock.ts';
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
const WATCH_EVENT = method('WatchEvent');

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

const IP_ADDRESS_PREFIX = 'type.googleapis.com/apipb.IPAddressPrefix';

const watchEventSchema = z.object({
  table: z
    .object({
      paths: z.array(
        z.object({
          nlri: z.object({ type_url: z.string(), value: z.instanceof(Buffer) }).nullable(),
          is_withdraw: z.boolean(),
          neighbor_ip: z.string(),
        }),
      ),
    })
    .nullable(),
});

/** One path of an UPDATE as gobgpd received it from a neighbor (pre-policy). */
export interface ReceivedPath {
  /** "10.0.0.0/24"; undefined for a family other than IPv4/IPv6 unicast. */
  prefix: string | undefined;
  withdraw: boolean;
  neighbor: string;
}

/** A watch on the UPDATEs gobgpd processes; ended by cancel() or by the daemon. */
export interface UpdateWatch {
  cancel(): void;
}

/** IPAddressPrefix { uint32 prefix_len = 1; string prefix = 2; } from an Any's value, by hand. */
export function decodeIpAddressPrefix(value: Uint8Array): string | undefined {
  let len: number | undefined;
  let prefix: string | undefined;
  let i = 0;
  const varint = (): number => {
    let n = 0;
    for (let shift = 0; i < value.length; shift += 7) {
      const b = value[i++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
    throw new Error('truncated varint');
  };
  while (i < value.length) {
    const key = varint();
    const wire = key & 7;
    const field = key >>> 3;
    if (wire === 0) {
      const v = varint();
      if (field === 1) len = v;
    } else if (wire === 2) {
      const n = varint();
      if (i + n > value.length) throw new Error(`field ${field} runs past the end`);
      if (field === 2) prefix = Buffer.from(value.subarray(i, i + n)).toString('utf8');
      i += n;
    } else {
      throw new Error(`field ${field}: unexpected wire type ${wire}`);
    }
  }
  return prefix !== undefined && len !== undefined ? `${prefix}/${len}` : undefined;
}

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

  /**
   * Every UPDATE gobgpd processes, as it begins to (its Adj-RIB-In taken, its best paths not yet
   * chosen): the WatchEvent ADJIN table events, in the daemon's order. `onUpdate` gets each with the
   * moment it arrived here; `onEnd` the reason the watch ended, unless cancel() ended it.
   */
  watchUpdates(
    onUpdate: (paths: ReceivedPath[], arrivedMs: number) => void,
    onEnd: (err: Error) => void,
  ): UpdateWatch {
    let cancelled = false;
    const call = this.client.makeServerStreamRequest(
      WATCH_EVENT.path,
      WATCH_EVENT.requestSerialize,
      WATCH_EVENT.responseDeserialize,
      { table: { filters: [{ type: 'ADJIN', init: false }] } },
      new Metadata(),
      {},
    );
    call.on('data', (reply: unknown) => {
      const arrived = monotonicMs();
      const parsed = watchEventSchema.safeParse(reply);
      if (!parsed.success) {
        cancelled = true;
        call.cancel();
        onEnd(new Error(`${this.what}: WatchEvent: unexpected event: ${parsed.error.message}`));
        return;
      }
      const paths = parsed.data.table?.paths ?? [];
      onUpdate(
        paths.map((p) => ({
          prefix: p.nlri?.type_url === IP_ADDRESS_PREFIX ? decodeIpAddressPrefix(p.nlri.value) : undefined,
          withdraw: p.is_withdraw,
          neighbor: p.neighbor_ip,
        })),
        arrived,
      );
    });
    call.on('error', (err: ServiceError) => {
      if (!cancelled) onEnd(new Error(`${this.what}: WatchEvent ended: ${err.message}`));
    });
    call.on('end', () => {
      if (!cancelled) onEnd(new Error(`${this.what}: WatchEvent ended by the daemon`));
    });
    return {
      cancel: () => {
        cancelled = true;
        call.cancel();
      },
    };
  }

  close(): void {
    this.client.close();
  }

  private error(rpc: string, err: ServiceError, signal: AbortSignal | undefined): Error {
    if (err.code === status.CANCELLED && signal?.aborted) return new Error(`${this.what}: ${rpc}: aborted`);
    return new Error(`${this.what}: ${rpc} failed: ${err.message}`);
  }
}
