/**
 * A run that is killed mid-way: opens the lab named by LAB with its claim, opens the scale session of
 * SCENARIO (which applies the scenario's control-node env), prints {"runId":...} and waits to be killed.
 */
import { openLab } from '../../lib/lab/open-lab.ts';
import { RunArchive } from '../../lib/report/run-archive.ts';
import { ContrailScaleSession } from '../../lib/scale/contrail-scale-session.ts';
import { loadScenarioWithThresholds } from '../../lib/scenario/loaded-scenario.ts';

const lab = await openLab({ envFile: '/nonexistent/.env', claim: true, embedded: { ownControlNode: true } });
const archive = await RunArchive.open({ runId: lab.runId, root: process.env.NETSCALE_REPORTS_DIR });
await ContrailScaleSession.open({ lab, loaded: loadScenarioWithThresholds(process.env.SCENARIO!), archive });
process.stdout.write(JSON.stringify({ runId: lab.runId }) + '\n');
// Stays alive until the test kills it: that is what the test needs of this process.
setInterval(() => {}, 1000);
