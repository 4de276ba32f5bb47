/**
 * Host key verification against an OpenSSH known_hosts file (plain and
 * hashed `|1|salt|hash` entries; `[host]:port` for non-22 ports). The policy
 * comes from the lab file: strict (the default: unknown or changed key is an
 * error), accept-new (unknown keys are appended, changed keys are an error),
 * off (no check).
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type KnownHostsPolicy = 'strict' | 'accept-new' | 'off';

export type HostKeyVerdict =
  { ok: true; added?: boolean } | { ok: false; reason: 'unknown' | 'changed'; message: string };

/** OpenSSH-style fingerprint of a public key blob: SHA256:<base64 without padding>. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type named inside an SSH public key blob (first length-prefixed string). */
export function keyType(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name known_hosts uses for a host: `addr` on port 22, `[addr]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').some((p) => p === name);
}

interface Entry {
  type: string;
  key: Buffer;
}

async function entriesFor(file: string, name: string): Promise<Entry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Entry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Markers (@cert-authority, @revoked) are not used by netscale labs; skip them rather than misread them.
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, type, b64] = line.split(/\s+/);
    if (!hosts || !type || !b64 || !patternMatches(hosts, name)) continue;
    out.push({ type, key: Buffer.from(b64, 'base64') });
  }
  return out;
}

export async function verifyHostKey(opts: {
  hostName: string;
  address: string;
  port: number;
  key: Buffer;
  file: string;
  policy: KnownHostsPolicy;
}): Promise<HostKeyVerdict> {
  if (opts.policy === 'off') return { ok: true };
  const name = knownHostsName(opts.address, opts.port);
  const type = keyType(opts.key);
  const offered = fingerprint(opts.key);
  const entries = await entriesFor(opts.file, name);
  if (entries.some((e) => e.key.equals(opts.key))) return { ok: true };
  const sameType = entries.filter((e) => e.type === type);
  if (sameType.length > 0) {
    return {
      ok: false,
      reason: 'changed',
      message:
        `host "${opts.hostName}" (${name}): host key CHANGED: ${opts.file} has ${type} ${fingerprint(sameType[0]!.key)}, ` +
        `the server offered ${offered}. Someone may be intercepting the connection; if the machine was reinstalled, ` +
        `remove the old entry with: ssh-keygen -R '${name}' -f ${opts.file}`,
    };
  }
  if (opts.policy === 'accept-new') {
    await mkdir(dirname(opts.file), { recursive: true });
    await appendFile(opts.file, `${name} ${type} ${opts.key.toString('base64')}\n`);
    return { ok: true, added: true };
  }
  return {
    ok: false,
    reason: 'unknown',
    message:
      `host "${opts.hostName}" (${name}): unknown host key ${type} ${offered}, not in ${opts.file} (knownHosts: strict). ` +
      `Check the fingerprint, then add it with: ssh-keyscan -p ${opts.port} ${opts.address} >> ${opts.file}, ` +
      `or set knownHosts: accept-new for this host in the lab file`,
  };
}
