/**
 * Decodes sandesh XML (control-node introspect) into plain values, driven
 * by the `type` attributes rather than a schema, so it accepts any
 * well-formed response: multi-part `__<Resp>_list` wrappers, lists of any
 * size (a single item is still a list), and fields it has never seen.
 */
import { XMLParser } from 'fast-xml-parser';

export type SandeshValue = string | number | boolean | SandeshStruct | SandeshValue[];
export interface SandeshStruct {
  [field: string]: SandeshValue;
}

/** One response part: its type name, decoded fields and the `link` attributes of fields (next_batch). */
export interface SandeshResponse {
  type: string;
  fields: SandeshStruct;
  links: Record<string, string>;
}

export class SandeshParseError extends Error {
  override name = 'SandeshParseError';
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  ignorePiTags: true,
  trimValues: false,
  // Elements are repeated in lists; always arrays so one item and many look alike.
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

type Node = Record<string, unknown>;
const NUMERIC = /^(u|i)(8|16|32|64)$|^double$|^byte$/;

/** Parses an introspect body into its response parts (one, or several from a `__X_list`). */
export function parseSandesh(xml: string, source = 'sandesh response'): SandeshResponse[] {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new SandeshParseError(
      `${source}: not well-formed XML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const out: SandeshResponse[] = [];
  const visit = (name: string, node: Node) => {
    const type = node['@_type'];
    if (type === 'sandesh') {
      out.push({ type: name, fields: decodeStruct(node), links: links(node) });
    } else if (type === 'slist' || name.startsWith('__')) {
      for (const [k, v] of elements(node)) visit(k, v);
    }
  };
  for (const [k, v] of elements(doc)) visit(k, v);
  if (out.length === 0) throw new SandeshParseError(`${source}: no element with type="sandesh" found`);
  return out;
}

/** Child elements of a node, each repeated element separately, in document order per name. */
function elements(node: Node): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k === '#text') continue;
    for (const item of v as unknown[])
      out.push([k, (typeof item === 'object' && item !== null ? item : { '#text': item }) as Node]);
  }
  return out;
}

function links(node: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of elements(node)) if (typeof v['@_link'] === 'string') out[k] = v['@_link'];
  return out;
}

function textOf(node: Node): string {
  const t = node['#text'];
  if (Array.isArray(t)) return t.join('');
  return t === undefined ? '' : String(t);
}

function decodeStruct(node: Node): SandeshStruct {
  const out: SandeshStruct = {};
  for (const [k, v] of elements(node)) {
    if (k === 'more') continue;
    out[k] = decodeField(v);
  }
  return out;
}

function decodeField(node: Node): SandeshValue {
  const type = typeof node['@_type'] === 'string' ? node['@_type'] : 'string';
  if (type === 'list') {
    const list = elements(node).find(([k]) => k === 'list')?.[1];
    return list ? decodeList(list) : [];
  }
  if (type === 'struct') {
    const inner = elements(node)[0];
    return inner ? decodeStruct(inner[1]) : {};
  }
  return decodeScalar(type, textOf(node));
}

function decodeList(list: Node): SandeshValue[] {
  const itemType = list['@_type'];
  return elements(list).map(([, item]) =>
    itemType === 'struct' ? decodeStruct(item) : decodeScalar(String(itemType ?? 'string'), textOf(item)),
  );
}

function decodeScalar(type: string, text: string): SandeshValue {
  if (type === 'bool') return text.trim() === 'true';
  if (NUMERIC.test(type)) {
    const n = Number(text.trim());
    return text.trim() === '' || !Number.isFinite(n) ? text : n;
  }
  return text;
}
