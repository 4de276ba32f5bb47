/**
 * The emulated MX's truth: GET <introspect>/sim/router-view of the control-node emulator, i.e. what the
 * control node would re-advertise to a BGP peer and whether it would keep a session with one. An answer
 * that is not the expected shape is an error; an unreachable control node is a router whose peer is down.
 */

export interface ControlNodeView {
  name: string;
  address: string;
  asn: number;
  bgp: { up: boolean; reason: string };
  xmpp: { sessions: number; established: number };
  /** Router-type bgp-routers configured to peer with the control node. */
  peers: { name: string; address: string; asn: number }[];
  instances: number;
  prefixes: number;
}

export type ViewResult = { reachable: true; view: ControlNodeView } | { reachable: false; error: string };

export async function fetchControlNodeView(introspectUrl: string, timeoutMs: number): Promise<ViewResult> {
  const url = `${introspectUrl.replace(/\/+$/, '')}/sim/router-view`;
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok)
      throw new ViewShapeError(`${url}: HTTP ${res.status} (expected 200 with the control node's view)`);
    body = await res.json();
  } catch (err) {
    if (err instanceof ViewShapeError) throw err;
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return { reachable: false, error: `${url}: ${cause ?? (err as Error).message}` };
  }
  return { reachable: true, view: checkView(url, body) };
}

export class ViewShapeError extends Error {}

function checkView(url: string, body: unknown): ControlNodeView {
  const v = body as Partial<ControlNodeView> | null;
  const problems: string[] = [];
  if (typeof v?.address !== 'string') problems.push('address (string)');
  if (typeof v?.asn !== 'number') problems.push('asn (number)');
  if (typeof v?.prefixes !== 'number') problems.push('prefixes (number)');
  if (typeof v?.bgp?.up !== 'boolean') problems.push('bgp.up (boolean)');
  if (!Array.isArray(v?.peers)) problems.push('peers (array)');
  if (problems.length)
    throw new ViewShapeError(`${url}: expected ${problems.join(', ')} in ${JSON.stringify(body)}`);
  return v as ControlNodeView;
}
