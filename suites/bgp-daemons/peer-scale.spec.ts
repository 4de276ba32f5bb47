/**
 * Peer scale on real BGP daemons (scenarios/bgp-daemons/peer-scale.yaml): how fast a daemon brings up
 * many sessions, each with a few prefixes.
 */
import { daemonScenario } from './daemon-scenario.ts';

daemonScenario('scenarios/bgp-daemons/peer-scale.yaml', 'peer scale');
