/**
 * A run that is interrupted: opens the lab named by LAB (a local host and an
 * SSH host), starts background processes on both (one ignores TERM, each
 * with a child), prints {"runId":..., "pgids":[...]} and waits for a signal.
 */
import { openLab } from '../../lib/lab/open-lab.ts';

const lab = await openLab({ envFile: '/nonexistent/.env' });
const pgids: number[] = [];
for (const host of Object.values(lab.hosts)) {
  const polite = await host.spawn('sleep 300 & sleep 300', { name: 'polite' });
  const stubborn = await host.spawn('trap "" TERM; sh -c "trap \\"\\" TERM; sleep 300" & sleep 300', {
    name: 'stubborn',
  });
  pgids.push(polite.pgid, stubborn.pgid);
}
process.stdout.write(JSON.stringify({ runId: lab.runId, pgids }) + '\n');
// Stays alive until the test signals it: that is what the test needs of this process.
setInterval(() => {}, 1000);
