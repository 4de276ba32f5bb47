/** Writes lab files and .env files for tests into a temp dir. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface LabDir {
  dir: string;
  /** Writes `name` (YAML from an object, or text as is) and returns its path. */
  write(name: string, content: unknown): Promise<string>;
  remove(): Promise<void>;
}

export async function labDir(): Promise<LabDir> {
  const dir = await mkdtemp(join(tmpdir(), 'netscale-lab-'));
  return {
    dir,
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, typeof content === 'string' ? content : stringify(content));
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
