/** Why a BGP session to the DUT failed or ended; the message always names the peer. */

export type SessionErrorKind =
  /** The DUT sent a NOTIFICATION. */
  | 'notification'
  /** The DUT sent bytes the codec refuses (a BgpDecodeError is the cause). */
  | 'malformed'
  /** TCP connect failed, or the connection closed or reset. */
  | 'connection'
  /** No message from the DUT within the hold time. */
  | 'hold-timer'
  /** The DUT's OPEN is not what the session expects (AS, families). */
  | 'open'
  /** No Established within the connect timeout. */
  | 'timeout';

export class BgpSessionError extends Error {
  override readonly name = 'BgpSessionError';

  constructor(
    /** The session's label, e.g. "198.18.1.1 -> 198.18.0.1:179". */
    readonly peer: string,
    readonly kind: SessionErrorKind,
    message: string,
    options?: { cause?: unknown; notification?: { code: number; subcode: number } },
  ) {
    super(`peer ${peer}: ${message}`, options);
    this.notification = options?.notification;
  }

  /** Code and subcode of the DUT's NOTIFICATION (kind 'notification'). */
  readonly notification: { code: number; subcode: number } | undefined;
}
