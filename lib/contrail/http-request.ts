/** HTTP calls to Contrail services with a timeout and caller's AbortSignal on every call, and errors that name the URL. */

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A non-2xx answer or a failed request; message carries method, URL, status and the start of the body. */
export class ContrailHttpError extends Error {
  override name = 'ContrailHttpError';
  constructor(
    readonly method: string,
    readonly url: string,
    /** HTTP status, or undefined when no answer arrived (refused, timeout, abort). */
    readonly status: number | undefined,
    readonly body: string,
    detail: string,
  ) {
    super(`${method} ${url} ${status === undefined ? 'failed' : `-> ${status}`}: ${detail}`);
  }
}

/** Origin of an http(s) service URL; throws naming `what` and an example when it is not one. */
export function serviceOrigin(url: string, what: string, example: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname)
    throw new Error(`${what} URL: expected e.g. ${example}, found ${JSON.stringify(url)}`);
  return parsed.origin;
}

export async function httpRequest(
  method: string,
  url: string,
  opts: CallOptions & { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method, headers, body, signal });
    text = await res.text();
  } catch (err) {
    const why = timeout.aborted
      ? `no answer within ${timeoutMs} ms`
      : opts.signal?.aborted
        ? 'aborted by caller'
        : describe(err);
    throw new ContrailHttpError(method, url, undefined, '', why);
  }
  return { status: res.status, text };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
