// Runs one of the emulators' TypeScript entry points with tsx. tsx is found the way Node finds any
// dependency of this package, so the launchers work in this repository and when netscale is installed
// under another project's node_modules. Usage: node run-ts.mjs <entry relative to this file> [args...]
import { URL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [entry] = process.argv.splice(2, 1);
await import(new URL(entry, import.meta.url).href);
