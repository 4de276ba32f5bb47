/**
 * Process-wide secret redaction. Config loading registers every password and
 * passphrase here; the logger, error wrapping and reports pass text through
 * redact() so a secret never leaves the process in clear.
 */

const MASK = '***';
/** Masking one- or two-character values would shred every log line while protecting nothing. */
const MIN_SECRET_LENGTH = 3;
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

export function redact(text: string): string {
  let out = text;
  // Longest first so a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return out;
}

/** An Error whose message and stack are redacted; the original stays reachable as `cause` for code, not for printing. */
export function redactError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(redact(String(err)));
  const safe = new Error(redact(err.message));
  safe.name = err.name;
  if (err.stack) safe.stack = redact(err.stack);
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) (safe as { code?: unknown }).code = code;
  const level = (err as { level?: unknown }).level;
  if (level !== undefined) (safe as { level?: unknown }).level = level;
  return safe;
}

/** For tests: forget all registered secrets. */
export function clearSecrets(): void {
  secrets.clear();
}
