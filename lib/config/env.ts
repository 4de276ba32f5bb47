/**
 * netscale's environment: .env (dotenv) under the real environment, validated
 * with zod. Values from .env are also put into process.env (unless already
 * set) so every module sees one environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError, describeFound, formatPath } from './config-error.ts';

export const envSchema = z.object({
  /** `sim` (the embedded lab, labs/sim.yaml) or the path of a lab file. */
  LAB: z.string().min(1).default('sim'),
  /** Run id tagging every process and naming the run's reports; generated when unset. */
  NETSCALE_RUN_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1-64 letters, digits, ".", "_" or "-"')
    .optional(),
  NETSCALE_REPORTS_DIR: z.string().min(1).default('reports'),
  NETSCALE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type NetscaleEnv = z.infer<typeof envSchema>;

export interface LoadEnvOptions {
  /** Default: .env in the current directory (absent is fine). */
  envFile?: string;
  /** Default: process.env (which also receives the .env values). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedEnv {
  env: NetscaleEnv;
  /** All variables (real environment over .env), for ${VAR} references in lab files. */
  vars: Record<string, string | undefined>;
  envFile: string;
}

export function loadEnv(opts: LoadEnvOptions = {}): LoadedEnv {
  const envFile = resolve(opts.envFile ?? '.env');
  const target = opts.env ?? process.env;
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  for (const [k, v] of Object.entries(fromFile)) if (target[k] === undefined) target[k] = v;
  const parsed = envSchema.safeParse(target, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      envFile,
      parsed.error.issues.map((i) => {
        const key = formatPath(i.path);
        const where = key in fromFile && fromFile[key] === target[key] ? '' : ' (from the environment)';
        return { path: key, message: `${i.message}, found ${describeFound(i.input)}${where}` };
      }),
    );
  }
  return { env: parsed.data, vars: { ...target }, envFile };
}
