/** Reads a lab file's embedded-lab settings (the `sim` section plus the control node) into startSimLab options. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { labSchema, type LabFile } from '../../lib/config/lab-schema.ts';

export interface SimLabSettings {
  labFile: string;
  lab: LabFile;
  stateDir: string;
  address: string;
  xmppPort: number;
  introspectPort: number;
  configApiPort: number;
  pidFile: string;
}

/** Loads and validates `file`; errors name the file and the key. Relative paths resolve against `baseDir`. */
export function readSimLabFile(file: string, baseDir = process.cwd()): SimLabSettings {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read lab file: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = labSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const lab = parsed.data;
  if (!lab.sim) throw new Error(`${file}: no "sim" section: this is not an embedded-lab file`);
  const cn = lab.controlNodes[0]!;
  const host = lab.hosts[cn.host];
  if (!host) throw new Error(`${file}: controlNodes[0].host: no host named "${cn.host}" in hosts`);
  if (host.transport !== 'local')
    throw new Error(
      `${file}: hosts.${cn.host}.transport: expected "local" for the embedded lab, found "${host.transport ?? 'ssh'}"`,
    );
  const stateDir = path.resolve(baseDir, lab.sim.stateDir);
  return {
    labFile: file,
    lab,
    stateDir,
    address: cn.xmppAddress ?? host.address ?? '127.0.0.1',
    xmppPort: lab.sim.xmppPort,
    introspectPort: lab.sim.introspectPort,
    configApiPort: lab.sim.configApiPort,
    pidFile: path.resolve(baseDir, cn.process.pidFile ?? path.join(lab.sim.stateDir, 'control-node.pid')),
  };
}
