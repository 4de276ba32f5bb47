/**
 * Route scale on real BGP daemons (scenarios/bgp-daemons/route-scale.yaml): add and withdraw convergence
 * as peers and prefixes grow, each daemon in its own namespaces, loaded by the native generator, watched
 * by a monitor peer.
 */
import { daemonScenario } from './daemon-scenario.ts';

daemonScenario('scenarios/bgp-daemons/route-scale.yaml', 'route scale');
