/**
 * Loads a lab file: YAML -> ${VAR} interpolation -> lab-schema.ts -> checks
 * that need the whole file (role and jump host names, key files on disk).
 * Everything wrong is reported at once as a ConfigError; secrets found on the
 * way are registered with the redactor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { registerSecret } from '../log/redact.ts';
import { ConfigError, describeFound, formatPath, type ConfigProblem } from './config-error.ts';
import { interpolate } from './interpolate.ts';
import {
  embeddedLabSchema,
  hostSchema,
  labSchema,
  type EmbeddedLabConfig,
  type HostConfig,
  type LabFile,
} from './lab-schema.ts';

/** labs/ of the netscale package: LAB=sim means labs/sim.yaml there, wherever netscale is installed. */
export const BUNDLED_LABS_DIR = fileURLToPath(new URL('../../labs/', import.meta.url));

export interface LoadedLab {
  /** Path as shown in messages (relative to the current directory when inside it). */
  file: string;
  config: LabFile;
  /** Hosts with the file's defaults merged in and paths (key files, known_hosts) made absolute. */
  hosts: Record<string, HostConfig>;
  isSim: boolean;
}

const ROLE_KEYS = ['controlNodes', 'configApi', 'testServers', 'routers', 'trafficGenerators'] as const;

export function labFilePath(lab: string): string {
  return lab === 'sim' ? resolve(BUNDLED_LABS_DIR, 'sim.yaml') : resolve(lab);
}

function shownPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

type Def = {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
  in?: unknown;
};
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** Keys a strict object in the schema accepts at `path` (to say what was expected for an unknown key). */
function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let s = schema;
  let i = 0;
  for (let guard = 0; guard < 50 && s; guard++) {
    const d = defOf(s);
    if (!d) return [];
    if (['default', 'optional', 'nullable', 'prefault', 'readonly'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe') s = d.in;
    else if (i === path.length) return d.type === 'object' ? Object.keys(d.shape ?? {}) : [];
    else if (d.type === 'object') s = d.shape?.[String(path[i++])];
    else if (d.type === 'array' || d.type === 'record') {
      s = d.type === 'array' ? d.element : d.valueType;
      i++;
    } else return [];
  }
  return [];
}

function schemaProblems(error: z.ZodError, schema: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: `unknown key "${key}"${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    const input = (issue as { input?: unknown }).input;
    const message =
      issue.code === 'invalid_union'
        ? 'expected one of: {password}, {keyFile, passphrase?}, {agent}'
        : issue.message;
    out.push({ path: formatPath(issue.path), message: `${message}, found ${describeFound(input)}` });
  }
  return out;
}

function expandPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** The lab file as plain data (YAML parsed, nothing interpolated or validated yet). */
function readLabDocument(lab: string): { abs: string; file: string; data: unknown } {
  const abs = labFilePath(lab);
  const file = shownPath(abs);
  if (!existsSync(abs)) {
    throw new ConfigError(file, [
      { path: '', message: `expected a lab file (LAB=${lab}), found no such file` },
    ]);
  }
  const doc = parseDocument(readFileSync(abs, 'utf8'), { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? 0}`,
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return { abs, file, data: doc.toJS() };
}

/**
 * The embedded-lab section (`sim`) of a lab file, read before the rest: its control node has to be
 * started first, because the rest of the file refers to the endpoints it binds.
 */
export function readEmbeddedSection(lab: string): { file: string; sim: EmbeddedLabConfig } | undefined {
  const { file, data } = readLabDocument(lab);
  const raw = (data as { sim?: unknown } | null)?.sim;
  if (raw === undefined) return undefined;
  const parsed = embeddedLabSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      file,
      schemaProblems(parsed.error, embeddedLabSchema).map((p) => ({
        ...p,
        path: p.path ? `sim.${p.path}` : 'sim',
      })),
    );
  }
  return { file, sim: parsed.data };
}

export function loadLabFile(lab: string, vars: Record<string, string | undefined>): LoadedLab {
  const { abs, file, data } = readLabDocument(lab);
  const problems: ConfigProblem[] = [];
  const raw = interpolate(data, vars, problems);
  if (problems.length) throw new ConfigError(file, problems);

  const parsed = labSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, schemaProblems(parsed.error, labSchema));
  const config = parsed.data;
  const rawObj = raw as {
    defaults?: Record<string, unknown>;
    hosts: Record<string, Record<string, unknown>>;
  };
  const baseDir = dirname(abs);

  const hostNames = Object.keys(config.hosts);
  const hostList = hostNames.join(', ') || '(none)';
  const checkRef = (path: (string | number)[], name: string | undefined) => {
    if (name !== undefined && !(name in config.hosts)) {
      problems.push({ path: formatPath(path), message: `unknown host "${name}" (hosts are: ${hostList})` });
    }
  };
  for (const role of ROLE_KEYS) {
    const entries = config[role];
    if (entries === undefined) continue;
    if (Array.isArray(entries)) entries.forEach((e, i) => checkRef([role, i, 'host'], e.host));
    else checkRef([role, 'host'], entries.host);
  }

  const hosts: Record<string, HostConfig> = {};
  for (const name of hostNames) {
    const merged = hostSchema.parse({ ...rawObj.defaults, ...rawObj.hosts[name] });
    const where = rawObj.hosts[name]?.auth !== undefined ? 'hosts' : 'defaults';
    const authPath = where === 'hosts' ? ['hosts', name, 'auth'] : ['defaults', 'auth'];
    if (merged.auth && 'keyFile' in merged.auth) {
      const keyFile = expandPath(merged.auth.keyFile, baseDir);
      if (!existsSync(keyFile)) {
        problems.push({
          path: formatPath([...authPath, 'keyFile']),
          message: `expected an existing private key file, found no file at ${keyFile}`,
        });
      }
      merged.auth = { ...merged.auth, keyFile };
    }
    if (merged.auth && 'password' in merged.auth) registerSecret(merged.auth.password);
    if (merged.auth && 'passphrase' in merged.auth) registerSecret(merged.auth.passphrase);
    if (merged.knownHostsFile) merged.knownHostsFile = expandPath(merged.knownHostsFile, baseDir);
    if (merged.jump !== undefined) {
      checkRef(['hosts', name, 'jump'], merged.jump);
      if (merged.jump === name)
        problems.push({
          path: `hosts.${name}.jump`,
          message: 'expected another host, found the host itself',
        });
    }
    if (merged.transport === 'ssh' && merged.auth === undefined) {
      problems.push({
        path: `hosts.${name}.auth`,
        message: 'expected {password}, {keyFile} or {agent} here or under defaults.auth, found nothing',
      });
    }
    hosts[name] = merged;
  }
  if (config.sim) {
    checkRef(['sim', 'host'], config.sim.host);
    const simHost = config.hosts[config.sim.host];
    if (simHost && simHost.transport !== 'local') {
      problems.push({
        path: `hosts.${config.sim.host}.transport`,
        message: `expected "local" (sim.host runs the embedded control node), found "${simHost.transport ?? 'ssh'}"`,
      });
    }
  }
  registerSecret(config.configApi?.password);
  if (problems.length) throw new ConfigError(file, problems);
  return { file, config, hosts, isSim: config.sim !== undefined };
}
