/**
 * sim/xmpp: the Contrail agent <-> control-node XMPP dialect, shared by the
 * control-node emulator (sim/control-node) and the agent emulator (sim/bgp-stress).
 *
 * Reading (either side):
 *   const reader = new XmppStreamReader();
 *   socket.on('data', (chunk) => {
 *     for (const ev of reader.push(chunk)) {            // throws XmppParseError on malformed XML
 *       // ev.kind: 'open' (attrs of <stream:stream>), 'stanza' (ev.stanza: XmlElement),
 *       //          'keepalive' (whitespace between stanzas), 'close' (</stream:stream>)
 *     }
 *   });
 *   Agent side: readEventMessage(stanza) -> { instance, endOfRib, added: InetRoute[], withdrawn: string[] }.
 *   Control-node side: readAgentIq(stanza) -> AgentRequest[] (subscribe/unsubscribe/publish/associate/dissociate).
 *
 * Writing (strings; write them to the socket as they are):
 *   streamOpen({ from: agentJid, to: CONTROL_NODE_JID })          agent's header
 *   subscribeIq(agentJid, instance, instanceId) / unsubscribeIq(agentJid, instance)
 *   publishRouteIq(agentJid, instance, route) + collectionIq(agentJid, instance, prefix, 'associate')   add
 *   withdrawRouteIq(agentJid, instance, prefix) + collectionIq(..., 'dissociate')                       delete
 *   ' ' every holdTime/3 as keepalive; STREAM_CLOSE to end.
 *   Control node: eventMessageOpen(agentJid) + itemsAddBody|itemsRetractBody|END_OF_RIB_BODY + EVENT_MESSAGE_CLOSE.
 *
 * agentJid is e.g. "agent0.1@vnsw.contrailsystems.com"; instance e.g.
 * "default-domain:admin:vn1:vn1"; MASTER_INSTANCE is the ip-fabric instance (label 0 allowed there only).
 */
export { type XmlElement, child, childText, descendant, escapeXml } from './element.ts';
export { XmppStreamReader, XmppParseError, type XmppEvent } from './stream-reader.ts';
export * from './agent-dialect.ts';
