/**
 * The embedded control node on its own, for the emulator's tests and for tests that stand it in for a
 * real control node: started through lib's launcher on a LocalHost with a run tag of its own.
 *
 *   const cn = await startControlNode({ endOfRibDelayMs: 100 });
 *   cn.endpoints.introspect; cn.pid; await cn.exited(); await cn.stop();
 */
import { LocalHost } from '../../lib/hosts/local-host.ts';
import {
  startEmbeddedControlNode,
  type EmbeddedControlNode,
  type EmbeddedControlNodeOptions,
} from '../../lib/lab/embedded-control-node.ts';

export interface TestControlNode extends Omit<EmbeddedControlNode, 'exited'> {
  /** Exit code (null after a signal). */
  exited(): Promise<number | null>;
}

export async function startControlNode(
  o: Partial<EmbeddedControlNodeOptions> & { runTag?: string } = {},
): Promise<TestControlNode> {
  const host = new LocalHost({ name: 'cn', runTag: o.runTag ?? `cn-test-${process.pid}` });
  const cn = await startEmbeddedControlNode(host, o);
  return { ...cn, exited: async () => (await cn.exited()).code };
}
