/**
 * What setup changed, recorded before each change is made and undone in reverse order: every step runs
 * even when an earlier one fails, so one failing undo never leaves the rest of the lab changed.
 *
 *   const t = new Teardown(); t.push('delete the VNs', () => vns.remove()); ... const errors = await t.run();
 */
export class Teardown {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> }> = [];

  push(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step, last pushed first; returns one line per failed step. Idempotent. */
  async run(): Promise<string[]> {
    const errors: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (err) {
        errors.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return errors;
  }
}
