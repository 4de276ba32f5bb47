/**
 * Edits a shell-style env file (KEY=value lines, such as /etc/contrail/control_param) key by key: a key
 * already assigned gets its new value in place, a new key is appended; every other line (comments,
 * blank lines, other keys, `export` prefixes, the line ending) is kept as it was.
 *
 *   editEnvFile('# comment\nHOSTIP=10.84.7.42\n', { XMPP_KEEPALIVE_SECONDS: '300000' })
 *     -> '# comment\nHOSTIP=10.84.7.42\nXMPP_KEEPALIVE_SECONDS=300000\n'
 */

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_]\w*)=(.*)$/;

/** The value as the shell reads it back: bare when it has nothing the shell would interpret. */
function shellValue(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function editEnvFile(text: string, env: Readonly<Record<string, string>>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(eol);
  // A file ending in a newline splits into a last empty string: the new keys go before it.
  const endsWithEol = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithEol) lines.pop();
  const pending = new Map(Object.entries(env));
  const out = lines.map((line) => {
    const m = ASSIGNMENT.exec(line);
    if (!m || !Object.hasOwn(env, m[2]!)) return line;
    pending.delete(m[2]!);
    return `${m[1]}${m[2]}=${shellValue(env[m[2]!]!)}`;
  });
  const trailingEol = endsWithEol || pending.size > 0;
  for (const [key, value] of pending) out.push(`${key}=${shellValue(value)}`);
  return out.join(eol) + (trailingEol ? eol : '');
}
