/** The 19-byte message header (RFC 4271 4.1): checked the same way by the decoder and the framer. */
import { BgpDecodeError } from './decode-error.ts';
import {
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MESSAGE_TYPE_NAMES,
  MessageType,
} from './wire-codes.ts';

export interface HeaderOptions {
  /** Who sent the bytes; every error names it. */
  peer: string;
  /** RFC 8654 was negotiated: UPDATE, NOTIFICATION and ROUTE-REFRESH may be up to 65535 bytes. */
  extendedMessages?: boolean;
}

export interface MessageHeader {
  length: number;
  type: number;
  typeName: string;
}

/** Least length of each message type, header included. */
const MIN_LENGTH: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

/** Checks the header at `buf[at..at+19)`; offsets in errors count from `at`. */
export function readHeader(buf: Buffer, at: number, options: HeaderOptions): MessageHeader {
  const fail = (messageType: string, field: string, offset: number, problem: string): never => {
    throw new BgpDecodeError(options.peer, messageType, field, offset, problem);
  };
  const given = buf.length - at;
  if (given < HEADER_LENGTH) fail('header', 'header', 0, `needs ${HEADER_LENGTH} bytes, ${given} given`);
  for (let i = 0; i < 16; i++) {
    const byte = buf[at + i] as number;
    if (byte !== 0xff)
      fail('header', 'marker', i, `byte ${i} is 0x${byte.toString(16).padStart(2, '0')}, not 0xff`);
  }
  const length = buf.readUInt16BE(at + 16);
  const type = buf[at + 18] as number;
  const typeName =
    MESSAGE_TYPE_NAMES[type] ?? fail('header', 'type', 18, `${type} is not a known message type (1..5)`);
  // RFC 8654: OPEN and KEEPALIVE stay within 4096 bytes even with extended messages.
  const extended =
    options.extendedMessages === true && type !== MessageType.OPEN && type !== MessageType.KEEPALIVE;
  const max = extended ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  if (length < HEADER_LENGTH || length > max)
    fail(typeName, 'length', 16, `${length} is outside ${HEADER_LENGTH}..${max}`);
  const min = MIN_LENGTH[type] as number;
  if (type === MessageType.KEEPALIVE && length !== min)
    fail(typeName, 'length', 16, `${length} is not ${min}`);
  if (length < min) fail(typeName, 'length', 16, `${length} is less than ${min}, the least for ${typeName}`);
  return { length, type, typeName };
}
