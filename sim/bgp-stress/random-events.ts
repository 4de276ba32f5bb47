/** bgp_stress_test's random test events, drawn by weight (--weight-* options). */

export const STRESS_EVENTS = [
  'ADD_BGP_ROUTE',
  'DELETE_BGP_ROUTE',
  'ADD_XMPP_ROUTE',
  'DELETE_XMPP_ROUTE',
  'BRING_UP_XMPP_AGENT',
  'BRING_DOWN_XMPP_AGENT',
  'CLEAR_XMPP_AGENT',
  'SUBSCRIBE_ROUTING_INSTANCE',
  'UNSUBSCRIBE_ROUTING_INSTANCE',
  'SUBSCRIBE_CONFIGURATION',
  'UNSUBSCRIBE_CONFIGURATION',
  'ADD_BGP_PEER',
  'DELETE_BGP_PEER',
  'CLEAR_BGP_PEER',
  'ADD_ROUTING_INSTANCE',
  'DELETE_ROUTING_INSTANCE',
  'ADD_ROUTE_TARGET',
  'DELETE_ROUTE_TARGET',
  'CHANGE_SOCKET_BUFFER_SIZE',
  'SHOW_ALL_ROUTES',
] as const;
export type StressEvent = (typeof STRESS_EVENTS)[number];

/** Draws one event with probability proportional to its weight (all weights 0 = uniform). */
export function pickEvent(
  weights: ReadonlyMap<string, number>,
  random: () => number = Math.random,
): StressEvent {
  const w = STRESS_EVENTS.map((e) => Math.max(0, weights.get(e) ?? 0));
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum === 0) return STRESS_EVENTS[Math.floor(random() * STRESS_EVENTS.length)]!;
  let x = random() * sum;
  for (let i = 0; i < STRESS_EVENTS.length; i++) {
    x -= w[i]!;
    if (x < 0) return STRESS_EVENTS[i]!;
  }
  return STRESS_EVENTS[STRESS_EVENTS.length - 1]!;
}
