/**
 * Child-process entry of the test speaker, so sessions can start inside the peers namespace:
 * `ip netns exec <peers> node --import tsx speaker-main.ts '<json>'`. One line per event on stdout:
 * "established <local>", "received <local> <n>", "failed <local> <reason>", "retry <local> <reason>" (a
 * connection refused or closed before its session was up, opened again a second later). Runs until killed.
 */
import { runSession, type SpeakerSession } from './bgp-test-speaker.ts';

interface SpeakerPlan {
  dut: { address: string; port: number };
  sessions: SpeakerSession[];
}

const plan = JSON.parse(process.argv[2] ?? '') as SpeakerPlan;
for (const s of plan.sessions)
  runSession(plan.dut, s, {
    established: (local) => console.log(`established ${local}`),
    received: (local, n) => console.log(`received ${local} ${n}`),
    failed: (local, reason) => console.log(`failed ${local} ${reason.replace(/\n/g, ' ')}`),
    retrying: (local, reason) => console.log(`retry ${local} ${reason.replace(/\n/g, ' ')}`),
  });
