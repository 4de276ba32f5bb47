/**
 * A netscale client that starts tagged processes and then never cleans up
 * (the test SIGKILLs it). Reads CLIENT_HOST ('local' or JSON of SshHost
 * options) and CLIENT_RUN_TAG; prints {"leader":pgid,"daemon":pid} once all
 * are running. The daemon escapes the process group (setsid), so only the
 * reaper, which finds it by tag, can end it.
 */
import { LocalHost } from '../../lib/hosts/local-host.ts';
import { SshHost, type SshHostOptions } from '../../lib/hosts/ssh-host.ts';

const runTag = process.env.CLIENT_RUN_TAG!;
const spec = process.env.CLIENT_HOST!;
const host =
  spec === 'local'
    ? new LocalHost({ runTag })
    : new SshHost({ ...(JSON.parse(spec) as SshHostOptions), runTag });
const p = await host.spawn('setsid sleep 300 </dev/null >/dev/null 2>&1 & echo "daemon $!"; sleep 300', {
  name: 'leaky',
});
// The line may have come before spawn() returned: look at the output so far, then listen.
const daemonIn = (text: string) => /^daemon (\d+)$/m.exec(text)?.[1];
const daemon = await new Promise<number>((resolve) => {
  const found = daemonIn(p.output());
  if (found) return resolve(Number(found));
  const off = p.onLine((line) => {
    const m = daemonIn(line);
    if (m) {
      off();
      resolve(Number(m));
    }
  });
});
process.stdout.write(JSON.stringify({ leader: p.pgid, daemon }) + '\n');
// Stays alive until the test signals it: that is what the test needs of this process.
setInterval(() => {}, 1000);
