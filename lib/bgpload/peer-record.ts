/**
 * What a generator peer did and when, on the monotonic clock (monotonicMs: CLOCK_MONOTONIC, so
 * times compare across processes on one host). These are the lower bounds of the truth check.
 */
export interface PeerRecord {
  /** The peer's source address. */
  peer: string;
  asn: number;
  /** Times the session reached Established (1 + successful reconnects after flaps). */
  sessions: number;
  /** The latest session's Established; a flap's reconnect moves it. */
  established: number | null;
  /** Just before the first UPDATE byte of the latest announce was handed to the socket. */
  firstUpdateWritten: number | null;
  /** Just before the last UPDATE bytes of the latest announce were handed to the socket: the truth check's lower bound. */
  lastUpdateHanded: number | null;
  /** When the kernel had accepted the last UPDATE byte of the latest announce. */
  lastUpdateWritten: number | null;
  endOfRibWritten: number | null;
  withdrawStart: number | null;
  lastWithdrawHanded: number | null;
  lastWithdrawWritten: number | null;
  /** UPDATE messages and prefixes the latest announce wrote. */
  updatesWritten: number;
  prefixesAnnounced: number;
  /** Why and when the latest session ended (null while it is up). */
  closed: { t: number; reason: string } | null;
}

export function emptyRecord(peer: string, asn: number): PeerRecord {
  return {
    peer,
    asn,
    sessions: 0,
    established: null,
    firstUpdateWritten: null,
    lastUpdateHanded: null,
    lastUpdateWritten: null,
    endOfRibWritten: null,
    withdrawStart: null,
    lastWithdrawHanded: null,
    lastWithdrawWritten: null,
    updatesWritten: 0,
    prefixesAnnounced: 0,
    closed: null,
  };
}
