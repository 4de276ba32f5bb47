/**
 * The config API subset the suites use (HTTP JSON, shapes of the real
 * contrail-api): virtual-networks create/list/read/delete, fqname-to-id,
 * bgp-routers create/list/read. Errors: 400 bad body, 404 unknown id or
 * name, 409 an object with that fq_name already exists.
 *
 * Optional Keystone mode (contrail-api with auth=keystone): the same port
 * serves a minimal POST /v3/auth/tokens (password method) and every other
 * call needs a token it issued in X-Auth-Token, else 401.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ConfigConflict, type ConfigStore } from './config-store.ts';
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
    const idMatch = /^\/(virtual-network|bgp-router)\/([\w-]+)$/.exec(path);
    if (path === '/virtual-networks' && method === 'POST') return this.createVn(await this.jsonBody(req));
    if (path === '/virtual-networks' && method === 'GET') return this.list('virtual-network', url);
    if (path === '/bgp-routers' && method === 'POST') return this.createRouter(await this.jsonBody(req));
    if (path === '/bgp-routers' && method === 'GET') return this.list('bgp-router', url);
    if (path === '/fqname-to-id' && method === 'POST') {
      const body = await this.jsonBody(req);
      if (typeof body.type !== 'string' || !isStringArray(body.fq_name))
        throw new HttpError(400, 'Bad Request: expected {"type": string, "fq_name": [string, ...]}');
      const uuid = this.store.fqNameToId(body.type, body.fq_name);
      if (!uuid) throw new HttpError(404, `Name ${body.fq_name.join(':')} of type ${body.type} not found`);
      return [200, { uuid }];
    }
    if (idMatch) {
      const [, type, uuid] = idMatch as unknown as [string, 'virtual-network' | 'bgp-router', string];
      const map = type === 'virtual-network' ? this.store.virtualNetworks : this.store.bgpRouters;
      const obj = map.get(uuid);
      if (!obj) throw new HttpError(404, `${type} ${uuid} not found`);
      if (method === 'GET') return [200, { [type]: this.withHref(type, obj) }];
      if (method === 'DELETE' && type === 'virtual-network') {
        this.store.deleteVirtualNetwork(uuid);
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

  private list(type: 'virtual-network' | 'bgp-router', url: URL): Answer {
    const map = type === 'virtual-network' ? this.store.virtualNetworks : this.store.bgpRouters;
    const key = `${type}s`;
    if (url.searchParams.get('count') === 'true') return [200, { [key]: { count: map.size } }];
    const detail = url.searchParams.get('detail') === 'true';
    const items = [...map.values()].map((o) =>
      detail
        ? { [type]: this.withHref(type, o) }
        : { uuid: o.uuid, href: this.withHref(type, o).href, fq_name: o.fq_name },
    );
    return [200, { [key]: items }];
  }

  private createVn(body: Record<string, unknown>): Answer {
    const vn = body['virtual-network'] as Record<string, unknown> | undefined;
    if (typeof vn !== 'object' || vn === null)
      throw new HttpError(400, 'Bad Request: expected {"virtual-network": {...}}');
    if (!isStringArray(vn.fq_name, 3))
      throw new HttpError(
        400,
        `Bad Request: virtual-network.fq_name must be [domain, project, name], found ${JSON.stringify(vn.fq_name)}`,
      );
    if (vn.parent_type !== undefined && vn.parent_type !== 'project')
      throw new HttpError(
        400,
        `Bad Request: virtual-network.parent_type must be "project", found ${JSON.stringify(vn.parent_type)}`,
      );
    try {
      const created = this.store.createVirtualNetwork({ ...vn, fq_name: vn.fq_name, parent_type: 'project' });
      const full = this.withHref('virtual-network', created);
      const { name, fq_name, uuid, href, parent_type } = full;
      return [
        200,
        {
          'virtual-network': { name, fq_name, uuid, href, parent_type, parent_uuid: projectUuid(vn.fq_name) },
        },
      ];
    } catch (err) {
      if (err instanceof ConfigConflict) throw new HttpError(409, err.message);
      throw err;
    }
  }

  private createRouter(body: Record<string, unknown>): Answer {
    const r = body['bgp-router'] as Record<string, unknown> | undefined;
    if (typeof r !== 'object' || r === null)
      throw new HttpError(400, 'Bad Request: expected {"bgp-router": {...}}');
    if (!isStringArray(r.fq_name, 5))
      throw new HttpError(
        400,
        `Bad Request: bgp-router.fq_name must be [domain, project, network, instance, name], found ${JSON.stringify(r.fq_name)}`,
      );
    const params = r.bgp_router_parameters;
    if (typeof params !== 'object' || params === null)
      throw new HttpError(400, 'Bad Request: bgp-router.bgp_router_parameters must be an object');
    try {
      const created = this.store.createBgpRouter({
        ...r,
        fq_name: r.fq_name,
        parent_type: 'routing-instance',
        bgp_router_parameters: params as Record<string, unknown>,
      });
      const { name, fq_name, uuid, href, parent_type } = this.withHref('bgp-router', created);
      return [200, { 'bgp-router': { name, fq_name, uuid, href, parent_type } }];
    } catch (err) {
      if (err instanceof ConfigConflict) throw new HttpError(409, err.message);
      throw err;
    }
  }
}

/** Stable per-project uuid-shaped id (projects are implicit in the emulator). */
function projectUuid(fq: string[]): string {
  let h = 0;
  for (const ch of `${fq[0]}:${fq[1]}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}0000`;
}
