/**
 * Churn on real BGP daemons (scenarios/bgp-daemons/churn.yaml): a share of every peer's prefixes withdrawn
 * and announced again, round after round; the worst round must stay within its thresholds.
 */
import { daemonScenario } from './daemon-scenario.ts';

daemonScenario('scenarios/bgp-daemons/churn.yaml', 'churn');
