/**
 * Keystone v3 password authentication: one project-scoped token for a
 * Contrail service that runs with Keystone auth (contrail-api
 * auth=keystone). The password goes only into the request body; errors
 * name the URL, the status and the user, never the password.
 */
import { redact, registerSecret } from '../log/redact.ts';
import { ContrailHttpError, DEFAULT_TIMEOUT_MS, serviceOrigin, type CallOptions } from './http-request.ts';

export interface KeystoneCredentials {
  /** Keystone endpoint, e.g. http://10.84.7.40:5000 (a trailing /v3 is accepted). */
  authUrl: string;
  username: string;
  password: string;
  /** Project the token is scoped to [admin]. */
  project?: string;
  /** Keystone domain of the user and the project [Default]. */
  domain?: string;
}

export const DEFAULT_KEYSTONE_PROJECT = 'admin';
export const DEFAULT_KEYSTONE_DOMAIN = 'Default';

/** `<authUrl>/v3/auth/tokens`; throws naming the URL when it is not an http(s) URL. */
export function keystoneTokensUrl(authUrl: string): string {
  serviceOrigin(authUrl, 'Keystone auth', 'http://host:5000');
  const base = authUrl.replace(/\/+$/, '').replace(/\/v3$/, '');
  return `${base}/v3/auth/tokens`;
}

/** Asks Keystone for a token (POST /v3/auth/tokens, password method, project scope); returns X-Subject-Token. */
export async function requestKeystoneToken(
  creds: KeystoneCredentials,
  opts: CallOptions = {},
): Promise<string> {
  registerSecret(creds.password);
  const url = keystoneTokensUrl(creds.authUrl);
  const domain = { name: creds.domain ?? DEFAULT_KEYSTONE_DOMAIN };
  const project = creds.project ?? DEFAULT_KEYSTONE_PROJECT;
  const who = `user ${creds.username} (project ${project}, domain ${domain.name})`;
  const body = {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: creds.username, domain, password: creds.password } },
      },
      scope: { project: { name: project, domain } },
    },
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    text = await res.text();
  } catch (err) {
    const why = timeout.aborted
      ? `no answer within ${timeoutMs} ms`
      : opts.signal?.aborted
        ? 'aborted by caller'
        : err instanceof Error
          ? err.message
          : String(err);
    throw new ContrailHttpError('POST', url, undefined, '', redact(`Keystone auth for ${who}: ${why}`));
  }
  const safeText = redact(text);
  if (res.status < 200 || res.status > 299)
    throw new ContrailHttpError(
      'POST',
      url,
      res.status,
      safeText,
      `Keystone refused ${who}: ${safeText.slice(0, 200) || '(empty body)'}`,
    );
  const token = res.headers.get('x-subject-token');
  if (!token)
    throw new ContrailHttpError(
      'POST',
      url,
      res.status,
      safeText,
      `Keystone answered ${who} without an X-Subject-Token header`,
    );
  return token;
}
