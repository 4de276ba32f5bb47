/**
 * The config API subset the suites use (HTTP JSON, shapes of the real
 * contrail-api): virtual-networks, network-policys (the API's plural) and
 * bgp-routers create/list/read/delete, fqname-to-id, ref-update. References
 * (network_policy_refs of a VN, bgp_router_refs of a router) are stored with
 * the target's uuid and shown as <type>_back_refs on the target's read.
 * Errors: 400 bad body, 404 unknown id, name or reference target, 409 an
 * object with that fq_name already exists, or a delete of an object another
 * one still refers to ("Delete when resource still referred").
 *
 * Optional Keystone mode (contrail-api with auth=keystone): the same port
 * serves a minimal POST /v3/auth/tokens (password method) and every other
 * call needs a token it issued in X-Auth-Token, else 401.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  ConfigConflict,
  ConfigReferenced,
  ConfigUnknownRef,
  OBJECT_TYPES,
  REF_FIELDS,
  type ConfigStore,
  type ObjectType,
} from './config-store.ts';
import { readBody } from './introspect-server.ts';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isStringArray(v: unknown, len?: number): v is string[] {
  return (
    Array.isArray(v) &&
    v.every((x) => typeof x === 'string' && x.length > 0) &&
    (len === undefined || v.length === len)
  );
}

export interface ConfigApiCredentials {
  username: string;
  password: string;
}

type Answer = [status: number, body: unknown, headers?: Record<string, string>];

const KEYSTONE_TOKENS_PATH = '/v3/auth/tokens';

export class ConfigApiServer {
  private server: http.Server | undefined;
  private baseUrl = '';
  private readonly tokens = new Set<string>();
  /** Token requests answered (granted or refused), for tests to count authentications. */
  tokenRequests = 0;

  /** With `auth`, calls need a token from /v3/auth/tokens; without, the API is open. */
  constructor(
    private readonly store: ConfigStore,
    private readonly auth?: ConfigApiCredentials,
  ) {}

  /** Forget every issued token (as Keystone does on expiry or revocation): the next call gets 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  async start(address: string, port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req)
        .then(([status, body, headers]) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        })
        .catch((err: unknown) => {
          const status = err instanceof HttpError ? err.status : 500;
          res
            .writeHead(status, { 'content-type': 'text/plain' })
            .end(err instanceof Error ? err.message : String(err));
        });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, address, () => resolve());
    });
    this.baseUrl = `http://${address}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async jsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(
        400,
        `Bad Request: body of ${req.method} ${req.url}: expected JSON, found ${JSON.stringify(raw.slice(0, 60))}`,
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HttpError(400, `Bad Request: body of ${req.method} ${req.url} must be a JSON object`);
    return body as Record<string, unknown>;
  }

  private async handle(req: http.IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (this.auth) {
      if (path === KEYSTONE_TOKENS_PATH && method === 'POST')
        return this.issueToken(await this.jsonBody(req));
      const token = req.headers['x-auth-token'];
      if (typeof token !== 'string' || !this.tokens.has(token))
        throw new HttpError(401, 'Authentication required: expected a valid X-Auth-Token');
    }
    const idMatch = /^\/(virtual-network|network-policy|bgp-router)\/([\w-]+)$/.exec(path);
    if (path === '/virtual-networks' && method === 'POST') return this.createVn(await this.jsonBody(req));
    if (path === '/virtual-networks' && method === 'GET') return this.list('virtual-network', url);
    if (path === '/network-policys' && method === 'POST') return this.createPolicy(await this.jsonBody(req));
    if (path === '/network-policys' && method === 'GET') return this.list('network-policy', url);
    if (path === '/bgp-routers' && method === 'POST') return this.createRouter(await this.jsonBody(req));
    if (path === '/bgp-routers' && method === 'GET') return this.list('bgp-router', url);
    if (path === '/ref-update' && method === 'POST') return this.refUpdate(await this.jsonBody(req));
    if (path === '/fqname-to-id' && method === 'POST') {
      const body = await this.jsonBody(req);
      if (typeof body.type !== 'string' || !isStringArray(body.fq_name))
        throw new HttpError(400, 'Bad Request: expected {"type": string, "fq_name": [string, ...]}');
      const uuid = this.store.fqNameToId(body.type, body.fq_name);
      if (!uuid) throw new HttpError(404, `Name ${body.fq_name.join(':')} of type ${body.type} not found`);
      return [200, { uuid }];
    }
    if (idMatch) {
      const [, type, uuid] = idMatch as unknown as [string, ObjectType, string];
      const obj = this.store.objects(type).get(uuid);
      if (!obj) throw new HttpError(404, `${type} ${uuid} not found`);
      if (method === 'GET')
        return [200, { [type]: { ...this.withHref(type, obj), ...this.store.backRefs(uuid) } }];
      if (method === 'DELETE') {
        try {
          this.store.deleteObject(type, uuid);
        } catch (err) {
          if (err instanceof ConfigReferenced)
            // The real API's wording, with the referrers' hrefs.
            throw new HttpError(
              409,
              `Delete when resource still referred: ${JSON.stringify(err.referrers.map((r) => `${this.baseUrl}/${r.type}/${r.uuid}`))}`,
            );
          throw err;
        }
        return [200, {}];
      }
      throw new HttpError(405, `${method} not allowed on /${type}/<uuid>`);
    }
    throw new HttpError(404, `Not Found: ${method} ${path}`);
  }

  /** Keystone v3 password method; the project scope is echoed, not checked (the emulator has one user). */
  private issueToken(body: Record<string, unknown>): Answer {
    this.tokenRequests++;
    const auth = body.auth as
      | {
          identity?: { methods?: unknown; password?: { user?: { name?: unknown; password?: unknown } } };
          scope?: { project?: { name?: unknown } };
        }
      | undefined;
    const user = auth?.identity?.password?.user;
    if (!Array.isArray(auth?.identity?.methods) || !auth.identity.methods.includes('password') || !user)
      throw new HttpError(
        400,
        'Bad Request: expected {"auth": {"identity": {"methods": ["password"], ...}}}',
      );
    if (user.name !== this.auth?.username || user.password !== this.auth?.password)
      return [
        401,
        {
          error: {
            code: 401,
            title: 'Unauthorized',
            message: 'The request you have made requires authentication.',
          },
        },
      ];
    const token = randomUUID().replaceAll('-', '');
    this.tokens.add(token);
    const project = auth?.scope?.project?.name;
    return [
      201,
      {
        token: {
          methods: ['password'],
          user: { name: user.name },
          ...(typeof project === 'string' ? { project: { name: project } } : {}),
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
      { 'x-subject-token': token },
    ];
  }

  private withHref(type: string, obj: { uuid: string; fq_name: string[] }): Record<string, unknown> {
    return { ...obj, name: obj.fq_name[obj.fq_name.length - 1], href: `${this.baseUrl}/${type}/${obj.uuid}` };
  }

  /** ?count=true, ?detail=true and ?parent_fq_name_str=a:b:c (children of that parent only). */
  private list(type: ObjectType, url: URL): Answer {
    const parent = url.searchParams.get('parent_fq_name_str');
    const all = [...this.store.objects(type).values()].filter(
      (o) => parent === null || o.fq_name.slice(0, -1).join(':') === parent,
    );
    const key = `${type}s`;
    if (url.searchParams.get('count') === 'true') return [200, { [key]: { count: all.length } }];
    const detail = url.searchParams.get('detail') === 'true';
    const items = all.map((o) =>
      detail
        ? { [type]: this.withHref(type, o) }
        : { uuid: o.uuid, href: this.withHref(type, o).href, fq_name: o.fq_name },
    );
    return [200, { [key]: items }];
  }

  /** The object under `type` in a POST body, with its fq_name of `length` names checked. */
  private objectBody(body: Record<string, unknown>, type: ObjectType, length: number, shape: string) {
    const obj = body[type] as Record<string, unknown> | undefined;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new HttpError(400, `Bad Request: expected {"${type}": {...}}`);
    if (!isStringArray(obj.fq_name, length))
      throw new HttpError(
        400,
        `Bad Request: ${type}.fq_name must be [${shape}], found ${JSON.stringify(obj.fq_name)}`,
      );
    for (const field of Object.keys(REF_FIELDS)) checkRefs(type, field, obj[field]);
    if (obj.annotations !== undefined && !isKeyValuePairs(obj.annotations))
      throw new HttpError(
        400,
        `Bad Request: ${type}.annotations must be {"key_value_pair": [{"key": string, "value": string}, ...]}`,
      );
    return obj as Record<string, unknown> & { fq_name: string[] };
  }

  /** Stores the object; a name taken is 409, a reference to nothing 404 (as contrail-api answers). */
  private create<T>(make: () => T): T {
    try {
      return make();
    } catch (err) {
      if (err instanceof ConfigConflict) throw new HttpError(409, err.message);
      if (err instanceof ConfigUnknownRef) throw new HttpError(404, err.message);
      throw err;
    }
  }

  private createVn(body: Record<string, unknown>): Answer {
    const vn = this.objectBody(body, 'virtual-network', 3, 'domain, project, name');
    if (vn.parent_type !== undefined && vn.parent_type !== 'project')
      throw new HttpError(
        400,
        `Bad Request: virtual-network.parent_type must be "project", found ${JSON.stringify(vn.parent_type)}`,
      );
    const created = this.create(() =>
      this.store.createVirtualNetwork({ ...vn, fq_name: vn.fq_name, parent_type: 'project' }),
    );
    const { name, fq_name, uuid, href, parent_type } = this.withHref('virtual-network', created);
    return [
      200,
      {
        'virtual-network': { name, fq_name, uuid, href, parent_type, parent_uuid: projectUuid(vn.fq_name) },
      },
    ];
  }

  private createPolicy(body: Record<string, unknown>): Answer {
    const np = this.objectBody(body, 'network-policy', 3, 'domain, project, name');
    if (np.parent_type !== undefined && np.parent_type !== 'project')
      throw new HttpError(
        400,
        `Bad Request: network-policy.parent_type must be "project", found ${JSON.stringify(np.parent_type)}`,
      );
    checkPolicyEntries(np.network_policy_entries);
    const created = this.create(() =>
      this.store.createNetworkPolicy({ ...np, fq_name: np.fq_name, parent_type: 'project' }),
    );
    const { name, fq_name, uuid, href, parent_type } = this.withHref('network-policy', created);
    return [
      200,
      {
        'network-policy': { name, fq_name, uuid, href, parent_type, parent_uuid: projectUuid(np.fq_name) },
      },
    ];
  }

  private createRouter(body: Record<string, unknown>): Answer {
    const r = this.objectBody(body, 'bgp-router', 5, 'domain, project, network, instance, name');
    const params = r.bgp_router_parameters;
    if (typeof params !== 'object' || params === null)
      throw new HttpError(400, 'Bad Request: bgp-router.bgp_router_parameters must be an object');
    const created = this.create(() =>
      this.store.createBgpRouter({
        ...r,
        fq_name: r.fq_name,
        parent_type: 'routing-instance',
        bgp_router_parameters: params as Record<string, unknown>,
      }),
    );
    const { name, fq_name, uuid, href, parent_type } = this.withHref('bgp-router', created);
    return [200, { 'bgp-router': { name, fq_name, uuid, href, parent_type } }];
  }

  /** POST /ref-update {operation: ADD|DELETE, type, uuid, ref-type, ref-uuid | ref-fq-name, attr}. */
  private refUpdate(body: Record<string, unknown>): Answer {
    const { type, uuid, operation, attr } = body;
    const refType = body['ref-type'];
    const refUuid = body['ref-uuid'];
    const refFqName = body['ref-fq-name'];
    const op = typeof operation === 'string' ? operation.toUpperCase() : undefined;
    if (!isObjectType(type) || typeof uuid !== 'string' || !isObjectType(refType) || !op)
      throw new HttpError(
        400,
        `Bad Request: type/uuid/ref-type/operation: expected a type of ${OBJECT_TYPES.join(', ')}, a uuid and ADD or DELETE, found ${JSON.stringify({ type, uuid, 'ref-type': refType, operation })}`,
      );
    if (op !== 'ADD' && op !== 'DELETE')
      throw new HttpError(400, `Bad Request: operation should be add or delete: ${op}`);
    if (typeof refUuid !== 'string' && !isStringArray(refFqName))
      throw new HttpError(400, 'Bad Request: ref-uuid or ref-fq-name must be specified');
    const updated = this.create(() =>
      this.store.updateRef(type, uuid, op, refType, {
        uuid: typeof refUuid === 'string' ? refUuid : undefined,
        fqName: isStringArray(refFqName) ? refFqName : undefined,
        attr,
      }),
    );
    if (!updated) throw new HttpError(404, `${type} ${uuid} not found`);
    return [200, { uuid }];
  }
}

function isObjectType(v: unknown): v is ObjectType {
  return typeof v === 'string' && (OBJECT_TYPES as readonly string[]).includes(v);
}

function isKeyValuePairs(v: unknown): boolean {
  const pairs = (v as { key_value_pair?: unknown } | null)?.key_value_pair;
  return (
    typeof v === 'object' &&
    v !== null &&
    (pairs === undefined ||
      (Array.isArray(pairs) &&
        pairs.every(
          (p) =>
            typeof (p as { key?: unknown }).key === 'string' &&
            typeof (p as { value?: unknown }).value === 'string',
        )))
  );
}

/** `<field>`: a list of {"to": [fq_name], "attr"?: {...}}. */
function checkRefs(type: string, field: string, refs: unknown): void {
  if (refs === undefined) return;
  const ok =
    Array.isArray(refs) &&
    refs.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        isStringArray((r as { to?: unknown }).to) &&
        ((r as { attr?: unknown }).attr === undefined || typeof (r as { attr?: unknown }).attr === 'object'),
    );
  if (!ok)
    throw new HttpError(
      400,
      `Bad Request: ${type}.${field} must be [{"to": [fq_name...], "attr": {...}}, ...], found ${JSON.stringify(refs).slice(0, 120)}`,
    );
}

const DIRECTIONS = ['<>', '>'];

/** network_policy_entries.policy_rule[]: direction, protocol, addresses, ports and action_list of each rule. */
function checkPolicyEntries(entries: unknown): void {
  if (entries === undefined) return;
  const rules = (entries as { policy_rule?: unknown } | null)?.policy_rule;
  if (typeof entries !== 'object' || entries === null || !Array.isArray(rules))
    throw new HttpError(
      400,
      'Bad Request: network-policy.network_policy_entries must be {"policy_rule": [...]}',
    );
  rules.forEach((rule: unknown, i) => {
    const r = (rule ?? {}) as Record<string, unknown>;
    const problem = !DIRECTIONS.includes(String(r.direction))
      ? `direction must be one of ${DIRECTIONS.join(' ')}, found ${JSON.stringify(r.direction)}`
      : typeof r.protocol !== 'string'
        ? `protocol must be a string, found ${JSON.stringify(r.protocol)}`
        : !Array.isArray(r.src_addresses) || !Array.isArray(r.dst_addresses)
          ? 'src_addresses and dst_addresses must be lists'
          : !Array.isArray(r.src_ports) || !Array.isArray(r.dst_ports)
            ? 'src_ports and dst_ports must be lists of {"start_port", "end_port"}'
            : typeof r.action_list !== 'object' || r.action_list === null
              ? 'action_list must be an object, e.g. {"simple_action": "pass"}'
              : undefined;
    if (problem)
      throw new HttpError(
        400,
        `Bad Request: network-policy.network_policy_entries.policy_rule[${i}].${problem}`,
      );
  });
}

/** Stable per-project uuid-shaped id (projects are implicit in the emulator). */
function projectUuid(fq: string[]): string {
  let h = 0;
  for (const ch of `${fq[0]}:${fq[1]}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}0000`;
}
