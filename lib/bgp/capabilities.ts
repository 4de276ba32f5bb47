/** OPEN capabilities (RFC 5492) and their values: RFC 4760, 2918, 6793, 4724, 8654. */
import type { ByteCursor } from './byte-cursor.ts';
import type { Capability, GracefulRestartFamily } from './message-types.ts';
import { CapabilityCode } from './wire-codes.ts';

function tlv(code: number, value: Buffer): Buffer {
  if (value.length > 255) throw new Error(`capability ${code}: value of ${value.length} bytes exceeds 255`);
  return Buffer.concat([Buffer.from([code, value.length]), value]);
}

export function encodeCapability(c: Capability): Buffer {
  switch (c.kind) {
    case 'multiprotocol': {
      // AFI (2), reserved (1), SAFI (1).
      const v = Buffer.alloc(4);
      v.writeUInt16BE(c.afi, 0);
      v[3] = c.safi;
      return tlv(CapabilityCode.MULTIPROTOCOL, v);
    }
    case 'route-refresh':
      return tlv(CapabilityCode.ROUTE_REFRESH, Buffer.alloc(0));
    case 'four-octet-as': {
      const v = Buffer.alloc(4);
      v.writeUInt32BE(c.asn);
      return tlv(CapabilityCode.FOUR_OCTET_AS, v);
    }
    case 'graceful-restart': {
      if (c.flags > 0xf || c.restartTimeSeconds > 0xfff) {
        throw new Error(
          `graceful restart: flags ${c.flags} or restart time ${c.restartTimeSeconds} too large`,
        );
      }
      const v = Buffer.alloc(2 + 4 * c.families.length);
      v.writeUInt16BE((c.flags << 12) | c.restartTimeSeconds, 0);
      c.families.forEach((f, i) => {
        v.writeUInt16BE(f.afi, 2 + 4 * i);
        v[4 + 4 * i] = f.safi;
        v[5 + 4 * i] = f.flags;
      });
      return tlv(CapabilityCode.GRACEFUL_RESTART, v);
    }
    case 'extended-message':
      return tlv(CapabilityCode.EXTENDED_MESSAGE, Buffer.alloc(0));
    case 'unknown':
      return tlv(c.code, c.value);
  }
}

const CAPABILITY_NAMES: Readonly<Record<number, string>> = {
  [CapabilityCode.MULTIPROTOCOL]: 'multiprotocol',
  [CapabilityCode.ROUTE_REFRESH]: 'route refresh',
  [CapabilityCode.FOUR_OCTET_AS]: '4-byte AS',
  [CapabilityCode.GRACEFUL_RESTART]: 'graceful restart',
  [CapabilityCode.EXTENDED_MESSAGE]: 'extended message',
};

function expectLength(value: ByteCursor, field: string, expected: string, ok: boolean): void {
  if (!ok) value.fail(field, `length ${value.remaining} is not ${expected}`);
}

/** Reads the capabilities of one optional parameter until the cursor's end. */
export function decodeCapabilities(params: ByteCursor): Capability[] {
  const out: Capability[] = [];
  while (params.remaining > 0) {
    const at = params.pos;
    const code = params.u8('capability code');
    const length = params.u8('capability length');
    const field = `capability ${CAPABILITY_NAMES[code] ?? code}`;
    const v = params.child(length, { field, offset: at }, (left) => {
      return `length ${length} runs past the optional parameter (${left} bytes left)`;
    });
    switch (code) {
      case CapabilityCode.MULTIPROTOCOL: {
        expectLength(v, field, '4', length === 4);
        const afi = v.u16('AFI');
        v.u8('reserved');
        out.push({ kind: 'multiprotocol', afi, safi: v.u8('SAFI') });
        break;
      }
      case CapabilityCode.ROUTE_REFRESH:
        expectLength(v, field, '0', length === 0);
        out.push({ kind: 'route-refresh' });
        break;
      case CapabilityCode.EXTENDED_MESSAGE:
        expectLength(v, field, '0', length === 0);
        out.push({ kind: 'extended-message' });
        break;
      case CapabilityCode.FOUR_OCTET_AS:
        expectLength(v, field, '4', length === 4);
        out.push({ kind: 'four-octet-as', asn: v.u32('AS') });
        break;
      case CapabilityCode.GRACEFUL_RESTART: {
        expectLength(v, field, '2 + 4 per family', length >= 2 && (length - 2) % 4 === 0);
        const word = v.u16('restart flags and time');
        const families: GracefulRestartFamily[] = [];
        while (v.remaining > 0) {
          families.push({ afi: v.u16('AFI'), safi: v.u8('SAFI'), flags: v.u8('family flags') });
        }
        out.push({ kind: 'graceful-restart', flags: word >> 12, restartTimeSeconds: word & 0xfff, families });
        break;
      }
      default:
        out.push({ kind: 'unknown', code, value: Buffer.from(v.bytes(length, 'value')) });
    }
  }
  return out;
}
