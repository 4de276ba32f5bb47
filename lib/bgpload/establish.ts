/**
 * Bringing a session up the way a load run needs it: retry while the DUT is not ready yet (refused
 * connections, a daemon still starting, a collision), give up at a deadline with the last reason,
 * and do not retry what a retry cannot fix (the DUT refused our OPEN, or sent garbage).
 */
import { monotonicMs, sleep } from '../clock.ts';
import { BgpSession, type BgpSessionOptions } from './bgp-session.ts';
import { BgpSessionError } from './session-error.ts';

export interface EstablishOptions {
  /** Pause between attempts. */
  retryDelayMs?: number;
}

function retryable(err: BgpSessionError): boolean {
  if (err.kind === 'open' || err.kind === 'malformed') return false;
  // OPEN Message Error (code 2): our OPEN is wrong for this DUT; it will be wrong next time too.
  return err.notification?.code !== 2;
}

export async function establish(options: BgpSessionOptions, how: EstablishOptions = {}): Promise<BgpSession> {
  const deadline = monotonicMs() + options.connectTimeoutMs;
  const retryDelayMs = how.retryDelayMs ?? 250;
  let last: BgpSessionError | undefined;
  while (true) {
    const left = deadline - monotonicMs();
    if (left <= 0) break;
    try {
      return await BgpSession.connect({ ...options, connectTimeoutMs: left });
    } catch (err) {
      if (!(err instanceof BgpSessionError)) throw err;
      last = err;
      if (!retryable(err)) throw err;
    }
    await sleep(Math.min(retryDelayMs, Math.max(0, deadline - monotonicMs())));
  }
  const peer = `${options.localAddress ?? '*'} -> ${options.remoteAddress}:${options.remotePort}`;
  throw new BgpSessionError(
    peer,
    'timeout',
    `not Established within ${options.connectTimeoutMs} ms${last ? `; last attempt: ${last.message}` : ''}`,
    { cause: last },
  );
}
