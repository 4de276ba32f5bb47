/**
 * The single place report and archive text passes through before it is written (Allure attachments,
 * parameters, environment, run archive files), so secrets never reach a report.
 *
 * API: `scrub(text)` -> text with every secret registered with lib/log/redact.ts masked, and the values
 * of secret-looking settings replaced by '***' (`password=...`, `"ssh_password": "..."`,
 * `passphrase: ...`, `token=...`, `secret=...`, URLs with user:password@) — the latter also catches
 * secrets that were never registered, e.g. typed into a scenario's params.
 */
import { redact } from '../log/redact.ts';

const KEY = String.raw`[\w.-]*(?:password|passwd|passphrase|secret|token|api_key|apikey)[\w.-]*`;
// "key": "value" (JSON), key=value / key: value (ini, yaml, env, command lines).
const JSON_PAIR = new RegExp(String.raw`("${KEY}"\s*:\s*)"(?:\\.|[^"\\])*"`, 'gi');
const PLAIN_PAIR = new RegExp(String.raw`\b(${KEY}\s*[=:]\s*)(?!\*\*\*)("[^"]*"|'[^']*'|[^\s,;&]+)`, 'gi');
const URL_CREDENTIALS = /\b([a-z][\w+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi;

export function scrub(text: string): string {
  return redact(text)
    .replace(JSON_PAIR, '$1"***"')
    .replace(PLAIN_PAIR, '$1***')
    .replace(URL_CREDENTIALS, '$1***@');
}
