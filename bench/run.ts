/**
 * `npm run bench -- <name>` runs bench/<name>.bench.ts (its own process, output as it prints);
 * `npm run bench` lists the benches. Each bench's options are in bench/README.md.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const dir = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const name = process.argv[2];
if (!name) {
  process.stdout.write(
    `benches (npm run bench -- <name>; options in bench/README.md):\n  ${names.join('\n  ')}\n`,
  );
} else if (!names.includes(name)) {
  process.stderr.write(`bench: expected one of ${names.join(', ')}, found "${name}"\n`);
  process.exitCode = 2;
} else {
  const r = await execa('npx', ['tsx', `${dir}${name}.bench.ts`], { stdio: 'inherit', reject: false });
  process.exitCode = r.exitCode ?? 1;
}
