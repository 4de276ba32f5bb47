/**
 * The only error the BGP decoder throws. Its message names the peer, the message type, the field
 * and the byte offset from the start of the message, so a capture can be checked by hand.
 */
export class BgpDecodeError extends Error {
  override readonly name = 'BgpDecodeError';

  constructor(
    readonly peer: string,
    readonly messageType: string,
    readonly field: string,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`peer ${peer}: ${messageType}: ${field} at offset ${offset}: ${problem}`);
  }
}
