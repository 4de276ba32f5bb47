/**
 * Faults the emulator can be told to show, at start (flags/env) or at run
 * time (POST /sim/fault on the introspect port), so the framework's own tests
 * can exercise its failure paths.
 */
export interface FaultSettings {
  /** Share (0..1) of route adds accepted but never installed. */
  dropRouteShare: number;
  /** Added processing delay per received route operation, in ms. */
  slowMsPerRoute: number;
  /** Input processing takes this many times as long as it really does (1 = normal). */
  slowdown: number;
  /** Introspect answers this many more requests with broken XML (-1: until cleared). */
  introspectGarbage?: number;
}

/** A run-time fault request (JSON body of POST /sim/fault). */
export type FaultRequest =
  | { restart: { downMs?: number } }
  | { crash: { afterMs?: number; exitCode?: number } }
  | { dropRoutes: { share: number } }
  | { slow: { msPerRoute: number } }
  | { flap: { sessions: number } }
  | { garbage: { requests: number } }
  | { clear: true };

export class FaultRequestError extends Error {}

function num(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new FaultRequestError(`${what}: expected a number in [${min}, ${max}], found ${JSON.stringify(v)}`);
  return v;
}

/** Validates a fault request body; throws FaultRequestError naming the key on bad input. */
export function parseFaultRequest(body: unknown): FaultRequest {
  if (typeof body !== 'object' || body === null) throw new FaultRequestError('expected a JSON object');
  const keys = Object.keys(body);
  if (keys.length !== 1)
    throw new FaultRequestError(
      `expected exactly one of restart, crash, dropRoutes, slow, flap, garbage, clear; found ${JSON.stringify(keys)}`,
    );
  const b = body as Record<string, Record<string, unknown> | true>;
  const arg = (k: string) => (typeof b[k] === 'object' ? (b[k] as Record<string, unknown>) : {});
  switch (keys[0]) {
    case 'restart':
      return { restart: { downMs: num(arg('restart').downMs ?? 0, 'restart.downMs', 0, 600_000) } };
    case 'crash':
      return {
        crash: {
          afterMs: num(arg('crash').afterMs ?? 0, 'crash.afterMs', 0, 3_600_000),
          exitCode: num(arg('crash').exitCode ?? 70, 'crash.exitCode', 1, 255),
        },
      };
    case 'dropRoutes':
      return { dropRoutes: { share: num(arg('dropRoutes').share, 'dropRoutes.share', 0, 1) } };
    case 'slow':
      return { slow: { msPerRoute: num(arg('slow').msPerRoute, 'slow.msPerRoute', 0, 10_000) } };
    case 'flap':
      return { flap: { sessions: num(arg('flap').sessions, 'flap.sessions', 0, 1_000_000) } };
    case 'garbage':
      return { garbage: { requests: num(arg('garbage').requests ?? -1, 'garbage.requests', -1, 1_000_000) } };
    case 'clear':
      return { clear: true };
    default:
      throw new FaultRequestError(`unknown fault ${JSON.stringify(keys[0])}`);
  }
}
