/**
 * Sandesh XML encoding as the control node's introspect serves it: every
 * field `<name type="T" identifier="N">value</name>`, lists
 * `<list type="struct|string" size="N">`, and every response ending with
 * `<more type="bool" identifier="0">`.
 */
import { escapeXml } from '../xmpp/index.ts';

export const SANDESH_PROLOG = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>';

/** A field value: scalars by sandesh type, nested structs, or lists of either. */
export type SandeshValue =
  | { t: 'string'; v: string }
  | { t: 'u32' | 'u64' | 'i32' | 'i64' | 'u16'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'struct'; type: string; fields: SandeshField[] }
  | { t: 'list'; items: SandeshValue[]; elementType: 'struct' | 'string' };

export interface SandeshField {
  name: string;
  value: SandeshValue;
  /** Extra attributes, e.g. link="BgpNeighborReqIterate" on next_batch. */
  attrs?: Record<string, string>;
}

export const str = (name: string, v: string, attrs?: Record<string, string>): SandeshField => ({
  name,
  value: { t: 'string', v },
  ...(attrs ? { attrs } : {}),
});
export const u64 = (name: string, v: number): SandeshField => ({ name, value: { t: 'u64', v } });
export const u32 = (name: string, v: number): SandeshField => ({ name, value: { t: 'u32', v } });
export const bool = (name: string, v: boolean): SandeshField => ({ name, value: { t: 'bool', v } });
export const structList = (name: string, type: string, items: SandeshField[][]): SandeshField => ({
  name,
  value: { t: 'list', elementType: 'struct', items: items.map((fields) => ({ t: 'struct', type, fields })) },
});
export const stringList = (name: string, items: string[]): SandeshField => ({
  name,
  value: { t: 'list', elementType: 'string', items: items.map((v) => ({ t: 'string', v })) },
});

function encodeFields(fields: SandeshField[]): string {
  let s = '';
  fields.forEach((f, i) => {
    s += encodeField(f, i + 1);
  });
  return s;
}

function encodeField(f: SandeshField, identifier: number): string {
  const extra = f.attrs
    ? Object.entries(f.attrs)
        .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
        .join('')
    : '';
  const v = f.value;
  const type = v.t === 'struct' ? 'struct' : v.t;
  return `<${f.name} type="${type}" identifier="${identifier}"${extra}>${encodeValue(v)}</${f.name}>`;
}

function encodeValue(v: SandeshValue): string {
  switch (v.t) {
    case 'string':
      return escapeXml(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'struct':
      return `<${v.type}>${encodeFields(v.fields)}</${v.type}>`;
    case 'list': {
      const inner = v.items
        .map((it) => (it.t === 'string' ? `<element>${escapeXml(it.v)}</element>` : encodeValue(it)))
        .join('');
      return `<list type="${v.elementType}" size="${v.items.length}">${inner}</list>`;
    }
    default:
      return String(v.v);
  }
}

/** One sandesh response object (without prolog). */
export function sandeshResponse(type: string, fields: SandeshField[], more = false): string {
  return `<${type} type="sandesh">${encodeFields(fields)}<more type="bool" identifier="0">${more}</more></${type}>`;
}

/** A full HTTP body: one response, or several parts wrapped in `__<Type>_list` as the real one does. */
export function sandeshDocument(type: string, parts: SandeshField[][]): string {
  if (parts.length === 1) return SANDESH_PROLOG + sandeshResponse(type, parts[0]!);
  const inner = parts.map((p, i) => sandeshResponse(type, p, i < parts.length - 1)).join('');
  return `${SANDESH_PROLOG}<__${type}_list type="slist">${inner}</__${type}_list>`;
}
