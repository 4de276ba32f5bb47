import { describe, expect, it } from 'vitest';
import {
  XmppParseError,
  XmppStreamReader,
  collectionIq,
  publishRouteIq,
  readAgentIq,
  readEventMessage,
  streamOpen,
  subscribeIq,
  eventMessageOpen,
  itemsAddBody,
  itemsRetractBody,
  EVENT_MESSAGE_CLOSE,
  type XmppEvent,
} from '../../../sim/xmpp/index.ts';

const AGENT = 'agent0.1@vnsw.contrailsystems.com';
const INST = 'default-domain:admin:vn1:vn1';

function feedBytewise(text: string): XmppEvent[] {
  const r = new XmppStreamReader();
  const bytes = Buffer.from(text, 'utf8');
  const out: XmppEvent[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...r.push(bytes.subarray(i, i + 1)));
  return out;
}

describe('XmppStreamReader', () => {
  const session =
    streamOpen({ from: AGENT, to: 'network-control@contrailsystems.com' }) +
    subscribeIq(AGENT, INST, 3) +
    ' ' +
    publishRouteIq(AGENT, INST, {
      prefix: '10.1.0.1/32',
      nextHop: '127.0.0.9',
      label: 17,
      virtualNetwork: 'vné',
    }) +
    collectionIq(AGENT, INST, '10.1.0.1/32', 'associate') +
    '</stream:stream>';

  it('parses the same events whether fed at once or one byte at a time', () => {
    const whole = new XmppStreamReader().push(Buffer.from(session));
    expect(whole.map((e) => e.kind)).toEqual(['open', 'stanza', 'keepalive', 'stanza', 'stanza', 'close']);
    const bytewise = feedBytewise(session);
    expect(bytewise.filter((e) => e.kind !== 'keepalive')).toEqual(
      whole.filter((e) => e.kind !== 'keepalive'),
    );
  });

  it('reads the agent requests out of the stanzas', () => {
    const stanzas = new XmppStreamReader()
      .push(session)
      .flatMap((e) => (e.kind === 'stanza' ? readAgentIq(e.stanza) : []));
    expect(stanzas).toEqual([
      { kind: 'subscribe', instance: INST, instanceId: 3 },
      {
        kind: 'publish',
        instance: INST,
        prefix: '10.1.0.1/32',
        route: {
          prefix: '10.1.0.1/32',
          nextHop: '127.0.0.9',
          label: 17,
          encapsulations: ['gre', 'udp'],
          virtualNetwork: 'vné',
          localPreference: 100,
        },
      },
      { kind: 'associate', instance: INST, prefix: '10.1.0.1/32' },
    ]);
  });

  it('reads control-node update messages', () => {
    const r = new XmppStreamReader();
    r.push(streamOpen({ from: 'a', to: 'b', id: '1' }));
    const add =
      eventMessageOpen(AGENT) +
      itemsAddBody(INST, [{ prefix: '10.0.0.1/32', nextHop: '1.1.1.1', label: 5 }]) +
      EVENT_MESSAGE_CLOSE;
    const del = eventMessageOpen(AGENT) + itemsRetractBody(INST, ['10.0.0.1/32']) + EVENT_MESSAGE_CLOSE;
    const ups = r.push(add + del).flatMap((e) => (e.kind === 'stanza' ? [readEventMessage(e.stanza)] : []));
    expect(ups[0]).toMatchObject({
      instance: INST,
      added: [{ prefix: '10.0.0.1/32', label: 5 }],
      withdrawn: [],
    });
    expect(ups[1]).toMatchObject({ instance: INST, added: [], withdrawn: ['10.0.0.1/32'] });
  });

  it.each([
    ['mismatched close tag', '<iq><a></b></iq>'],
    ['bad element name', '<1iq/>'],
    ['text outside a stanza', 'hello'],
    ['unknown entity', '<iq>&bogus;</iq>'],
    ['bad attribute', '<iq type=set/>'],
  ])('rejects %s', (_what, bad) => {
    const r = new XmppStreamReader();
    r.push(streamOpen({ from: 'a', to: 'b' }));
    expect(() => r.push(bad)).toThrow(XmppParseError);
  });

  it('rejects a stanza before the stream header', () => {
    expect(() => new XmppStreamReader().push('<iq/>')).toThrow(/before the stream header/);
  });
});
