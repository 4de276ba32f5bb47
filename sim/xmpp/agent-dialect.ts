/**
 * Writers and readers of the Contrail agent <-> control-node XMPP dialect
 * (tf-controller's agent controller and bgp_xmpp_channel): stream header,
 * subscribe/unsubscribe, route publish + collection associate/dissociate,
 * and the pubsub event messages the control node sends back. Everything here
 * is pure string/element work; sockets belong to the caller.
 */
import { child, childText, descendant, escapeXml, type XmlElement } from './element.ts';

export const CONTROL_NODE_JID = 'network-control@contrailsystems.com';
export const PUBSUB_NS = 'http://jabber.org/protocol/pubsub';
export const END_OF_RIB_NODE = '0/0/EndOfRib';
export const MASTER_INSTANCE = 'default-domain:default-project:ip-fabric:__default__';
export const STREAM_CLOSE = '</stream:stream>';
/** Address family / SAFI of inet unicast in publish nodes: "1/1/<instance>/<prefix>". */
const INET_NODE_PREFIX = '1/1/';

/** Stream header. The agent sends from=agent, to=control node; the control node answers swapped, with an id. */
export function streamOpen(opts: { from: string; to: string; id?: string }): string {
  const id = opts.id === undefined ? '' : ` id="${escapeXml(opts.id)}"`;
  return (
    `<?xml version="1.0"?><stream:stream from="${escapeXml(opts.from)}" to="${escapeXml(opts.to)}"${id}` +
    ` version="1.0" xml:lang="en" xmlns="" xmlns:stream="http://etherx.jabber.org/streams">`
  );
}

/** An inet unicast route as agents publish it and the control node re-advertises it. */
export interface InetRoute {
  /** "10.1.1.1/32" */
  prefix: string;
  nextHop: string;
  label: number;
  encapsulations?: string[];
  virtualNetwork?: string;
  localPreference?: number;
  sequenceNumber?: number;
}

function iq(agent: string, id: string, pubsubBody: string): string {
  return (
    `<iq type="set" from="${escapeXml(agent)}" to="${CONTROL_NODE_JID}/bgp-peer" id="${id}">` +
    `<pubsub xmlns="${PUBSUB_NS}">${pubsubBody}</pubsub></iq>`
  );
}

export function subscribeIq(agent: string, instance: string, instanceId: number): string {
  return iq(
    agent,
    'subscribe',
    `<subscribe node="${escapeXml(instance)}"/><options><instance-id>${instanceId}</instance-id></options>`,
  );
}

export function unsubscribeIq(agent: string, instance: string): string {
  return iq(agent, 'unsubscribe', `<unsubscribe node="${escapeXml(instance)}"/>`);
}

export function publishNode(instance: string, prefix: string): string {
  return `${INET_NODE_PREFIX}${instance}/${prefix}`;
}

/** The <entry> of an inet route (xmpp_unicast schema ItemType). */
export function routeEntryXml(r: InetRoute): string {
  const encaps = (r.encapsulations ?? ['gre', 'udp'])
    .map((e) => `<tunnel-encapsulation>${escapeXml(e)}</tunnel-encapsulation>`)
    .join('');
  const vn = r.virtualNetwork ? `<virtual-network>${escapeXml(r.virtualNetwork)}</virtual-network>` : '';
  return (
    `<entry><nlri><af>1</af><safi>1</safi><address>${escapeXml(r.prefix)}</address></nlri>` +
    `<next-hops><next-hop><af>1</af><address>${escapeXml(r.nextHop)}</address><label>${r.label}</label>` +
    `<tunnel-encapsulation-list>${encaps}</tunnel-encapsulation-list>${vn}</next-hop></next-hops>` +
    `<version>1</version>${vn}<sequence-number>${r.sequenceNumber ?? 0}</sequence-number>` +
    `<local-preference>${r.localPreference ?? 100}</local-preference></entry>`
  );
}

/** Route add, step 1 of 2: publish the item. Follow with collectionIq(..., 'associate'). */
export function publishRouteIq(agent: string, instance: string, route: InetRoute): string {
  const node = escapeXml(publishNode(instance, route.prefix));
  return iq(agent, 'pubsub', `<publish node="${node}"><item>${routeEntryXml(route)}</item></publish>`);
}

/** Route delete, step 1 of 2: publish with the nlri only. Follow with collectionIq(..., 'dissociate'). */
export function withdrawRouteIq(agent: string, instance: string, prefix: string): string {
  const node = escapeXml(publishNode(instance, prefix));
  const nlri = `<nlri><af>1</af><safi>1</safi><address>${escapeXml(prefix)}</address></nlri>`;
  return iq(agent, 'pubsub', `<publish node="${node}"><item><entry>${nlri}</entry></item></publish>`);
}

export function collectionIq(
  agent: string,
  instance: string,
  prefix: string,
  op: 'associate' | 'dissociate',
): string {
  const node = escapeXml(publishNode(instance, prefix));
  return iq(
    agent,
    'collection',
    `<collection node="${escapeXml(instance)}"><${op} node="${node}"/></collection>`,
  );
}

/** Opening of an update message to one agent; the <items> body between open and close is shared by all agents. */
export function eventMessageOpen(agent: string): string {
  return `<message from="${CONTROL_NODE_JID}" to="${escapeXml(agent)}/bgp-peer"><event xmlns="${PUBSUB_NS}">`;
}
export const EVENT_MESSAGE_CLOSE = '</event></message>';

/** <items> body carrying route adds (≤32 per message in the real control node). */
export function itemsAddBody(instance: string, routes: readonly InetRoute[]): string {
  let s = `<items node="${escapeXml(`${INET_NODE_PREFIX}${instance}`)}">`;
  for (const r of routes) s += `<item id="${escapeXml(r.prefix)}">${routeEntryXml(r)}</item>`;
  return s + '</items>';
}

/** <items> body carrying route withdrawals (≤256 per message in the real control node). */
export function itemsRetractBody(instance: string, prefixes: readonly string[]): string {
  let s = `<items node="${escapeXml(`${INET_NODE_PREFIX}${instance}`)}">`;
  for (const p of prefixes) s += `<retract id="${escapeXml(p)}"/>`;
  return s + '</items>';
}

export const END_OF_RIB_BODY = `<items node="${END_OF_RIB_NODE}"></items>`;

// ---------------------------------------------------------------- readers

/** What an agent's iq asks for, as the control node sees it. */
export type AgentRequest =
  | { kind: 'subscribe'; instance: string; instanceId: number | undefined }
  | { kind: 'unsubscribe'; instance: string }
  | { kind: 'publish'; instance: string; prefix: string; route: InetRoute | undefined }
  | { kind: 'associate' | 'dissociate'; instance: string; prefix: string }
  | { kind: 'other'; name: string };

/** Splits a publish/associate node "1/1/<instance>/<prefix>" (prefix contains one '/'). */
export function splitPublishNode(node: string): { instance: string; prefix: string } | undefined {
  if (!node.startsWith(INET_NODE_PREFIX)) return undefined;
  const rest = node.slice(INET_NODE_PREFIX.length);
  const lenSlash = rest.lastIndexOf('/');
  const prefSlash = lenSlash > 0 ? rest.lastIndexOf('/', lenSlash - 1) : -1;
  if (prefSlash <= 0) return undefined;
  return { instance: rest.slice(0, prefSlash), prefix: rest.slice(prefSlash + 1) };
}

/** Parses an <entry> into an InetRoute; undefined when it carries no next-hop (a withdrawal). */
export function readRouteEntry(entry: XmlElement): InetRoute | undefined {
  const nh = descendant(entry, 'next-hop');
  if (!nh) return undefined;
  const encList = child(nh, 'tunnel-encapsulation-list');
  const route: InetRoute = {
    prefix: childText(child(entry, 'nlri') ?? entry, 'address'),
    nextHop: childText(nh, 'address'),
    label: Number(childText(nh, 'label') || '0'),
    encapsulations: encList ? encList.children.map((e) => e.text) : [],
  };
  const vn = childText(entry, 'virtual-network');
  if (vn) route.virtualNetwork = vn;
  const lp = childText(entry, 'local-preference');
  if (lp) route.localPreference = Number(lp);
  return route;
}

/** Reads the requests inside one agent <iq> (an iq may carry several, e.g. publish + collection). */
export function readAgentIq(stanza: XmlElement): AgentRequest[] {
  const out: AgentRequest[] = [];
  const pubsub = child(stanza, 'pubsub') ?? stanza;
  for (const op of pubsub.children) {
    switch (op.name) {
      case 'subscribe': {
        const idText = childText(child(pubsub, 'options') ?? op, 'instance-id');
        out.push({
          kind: 'subscribe',
          instance: op.attrs.node ?? '',
          instanceId: idText === '' ? undefined : Number(idText),
        });
        break;
      }
      case 'unsubscribe':
        out.push({ kind: 'unsubscribe', instance: op.attrs.node ?? '' });
        break;
      case 'publish': {
        const where = splitPublishNode(op.attrs.node ?? '');
        const entry = descendant(op, 'entry');
        out.push({
          kind: 'publish',
          instance: where?.instance ?? '',
          prefix: where?.prefix ?? '',
          route: entry ? readRouteEntry(entry) : undefined,
        });
        break;
      }
      case 'collection':
        for (const a of op.children) {
          if (a.name !== 'associate' && a.name !== 'dissociate') continue;
          const where = splitPublishNode(a.attrs.node ?? '');
          out.push({
            kind: a.name,
            instance: op.attrs.node ?? where?.instance ?? '',
            prefix: where?.prefix ?? '',
          });
        }
        break;
      case 'options':
        break;
      default:
        out.push({ kind: 'other', name: op.name });
    }
  }
  return out;
}

/** A control-node update as an agent sees it. */
export interface RouteUpdate {
  /** Instance name, or END_OF_RIB_NODE. */
  instance: string;
  endOfRib: boolean;
  added: InetRoute[];
  withdrawn: string[];
}

/** Reads a <message><event><items> update; undefined for other messages. */
export function readEventMessage(stanza: XmlElement): RouteUpdate | undefined {
  if (stanza.name !== 'message') return undefined;
  const items = descendant(stanza, 'items');
  if (!items) return undefined;
  const node = items.attrs.node ?? '';
  if (node === END_OF_RIB_NODE) return { instance: node, endOfRib: true, added: [], withdrawn: [] };
  const instance = node.startsWith(INET_NODE_PREFIX) ? node.slice(INET_NODE_PREFIX.length) : node;
  const update: RouteUpdate = { instance, endOfRib: false, added: [], withdrawn: [] };
  for (const it of items.children) {
    if (it.name === 'retract') {
      update.withdrawn.push(it.attrs.id ?? '');
    } else if (it.name === 'item') {
      const entry = child(it, 'entry');
      const route = entry ? readRouteEntry(entry) : undefined;
      if (route) update.added.push({ ...route, prefix: route.prefix || (it.attrs.id ?? '') });
    }
  }
  return update;
}
