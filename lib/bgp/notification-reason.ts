/** Readable names of NOTIFICATION error codes and subcodes (RFC 4271 4.5 and 6, RFC 4486, RFC 5492, RFC 8538). */

interface ErrorCode {
  name: string;
  subcodes: Readonly<Record<number, string>>;
}

const ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  1: {
    name: 'Message Header Error',
    subcodes: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  },
  2: {
    name: 'OPEN Message Error',
    subcodes: {
      1: 'Unsupported Version Number',
      2: 'Bad Peer AS',
      3: 'Bad BGP Identifier',
      4: 'Unsupported Optional Parameter',
      5: 'Authentication Failure',
      6: 'Unacceptable Hold Time',
      7: 'Unsupported Capability',
    },
  },
  3: {
    name: 'UPDATE Message Error',
    subcodes: {
      1: 'Malformed Attribute List',
      2: 'Unrecognized Well-known Attribute',
      3: 'Missing Well-known Attribute',
      4: 'Attribute Flags Error',
      5: 'Attribute Length Error',
      6: 'Invalid ORIGIN Attribute',
      7: 'AS Routing Loop',
      8: 'Invalid NEXT_HOP Attribute',
      9: 'Optional Attribute Error',
      10: 'Invalid Network Field',
      11: 'Malformed AS_PATH',
    },
  },
  4: { name: 'Hold Timer Expired', subcodes: {} },
  5: { name: 'Finite State Machine Error', subcodes: {} },
  6: {
    name: 'Cease',
    subcodes: {
      1: 'Maximum Number of Prefixes Reached',
      2: 'Administrative Shutdown',
      3: 'Peer De-configured',
      4: 'Administrative Reset',
      5: 'Connection Rejected',
      6: 'Other Configuration Change',
      7: 'Connection Collision Resolution',
      8: 'Out of Resources',
      9: 'Hard Reset',
    },
  },
};

/** "Cease / Administrative Shutdown"; subcode 0 (unspecific) gives the code alone; unknown numbers are shown as numbers. */
export function notificationReason(code: number, subcode: number): string {
  const known = ERROR_CODES[code];
  if (!known) return `error code ${code} / subcode ${subcode}`;
  if (subcode === 0) return known.name;
  return `${known.name} / ${known.subcodes[subcode] ?? `subcode ${subcode}`}`;
}
