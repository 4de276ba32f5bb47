/**
 * Flap re-convergence on real BGP daemons (scenarios/bgp-daemons/flap.yaml): once every prefix is in, the
 * generator's sessions close without withdrawing and come back; the daemon must hold every prefix again
 * within the re-convergence threshold.
 */
import { daemonScenario } from './daemon-scenario.ts';

daemonScenario('scenarios/bgp-daemons/flap.yaml', 'flap');
