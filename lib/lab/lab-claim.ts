/**
 * A run's hold on a lab: the lab lock (lib/lab/lab-lock.ts) and the record of every change the run makes
 * (lib/lab/change-record.ts), both on controlNodes[0]'s host in the lab's stateDir. Taking the claim
 * first reverts what a crashed earlier run left; releasing it reverts what this process changed and has
 * not undone yet, then frees the lock. A change is written down before it is made:
 *
 *   const claim = await claimLab(lab);                   // LabBusyError when another run holds it
 *   const entry = await claim.change({ kind: 'env-file', ... });  // then edit the file
 *   ... await claim.revert(entry);                       // or claim.keep(entry) to leave it on purpose
 *   await claim.release();
 */
import type { Host } from '../hosts/host.ts';
import { newOwnerTag } from '../hosts/host.ts';
import { createLogger } from '../log/logger.ts';
import { ChangeRecord, type ChangeEntry } from './change-record.ts';
import type { LabChange, RecordChange } from './lab-change.ts';
import { LabLock, type LabLockOptions } from './lab-lock.ts';
import type { Lab } from './lab.ts';
import { describeChange, revertChange } from './revert-change.ts';

const log = createLogger('lab');

export type ClaimableLab = Pick<
  Lab,
  'name' | 'runId' | 'config' | 'hosts' | 'controlNodes' | 'configApi' | 'trafficGenerators'
>;

export type ClaimOptions = Pick<LabLockOptions, 'staleAfterS' | 'heartbeatS' | 'onLost'>;

/** Changes made together and undone (or kept) together, e.g. the VNs and policies of one scenario. */
export interface ChangeGroup {
  /** Records a change into the group (before it is made). */
  readonly record: RecordChange;
  readonly size: number;
  /** Reverts the group's changes, newest first. */
  revertAll(): Promise<void>;
  /** Keeps them on purpose: no longer pending. */
  keepAll(): Promise<void>;
}

export interface LabClaim {
  readonly lock: LabLock;
  readonly record: ChangeRecord;
  /** Changes that earlier runs left pending, reverted when this claim was taken. */
  readonly restored: ChangeEntry[];
  /** Writes the change down; make it after this resolves. Reverted at release unless reverted or kept first. */
  change(c: LabChange): Promise<ChangeEntry>;
  revert(entry: ChangeEntry): Promise<void>;
  /** Leaves the change in place on purpose (e.g. vns.deleteAfterRun: false); it is no longer pending. */
  keep(entry: ChangeEntry): Promise<void>;
  /** A group of changes to record, then revert or keep as one. */
  group(): ChangeGroup;
  /** How many of this process's changes are still to revert. */
  pending(): number;
  /** Reverts this process's pending changes, newest first, then leaves the lock; returns one line per failure. */
  release(): Promise<string[]>;
}

/** Where the lock and the record live: controlNodes[0]'s host, on a data-plane-only lab trafficGenerators[0]'s. */
export function stateHost(lab: ClaimableLab): { host: Host; stateDir: string } {
  const role = lab.controlNodes[0] ?? lab.trafficGenerators[0];
  if (!role)
    throw new Error(
      `lab ${lab.name}: expected a control node or a traffic generator (its host keeps the lab lock)`,
    );
  return { host: role.host, stateDir: lab.config.stateDir };
}

/** Reverts the pending changes of `entries`, newest first; returns one line per change that failed. */
export async function revertEntries(
  lab: ClaimableLab,
  record: ChangeRecord,
  entries: readonly ChangeEntry[],
): Promise<string[]> {
  const errors: string[] = [];
  for (const e of [...entries].reverse()) {
    try {
      await revertChange(lab, e.change, e.run);
      await record.close(e, 'reverted');
    } catch (err) {
      errors.push(`${describeChange(e.change)} (run ${e.run}): ${(err as Error).message}`);
    }
  }
  return errors;
}

export async function claimLab(lab: ClaimableLab, o: ClaimOptions = {}): Promise<LabClaim> {
  const { host, stateDir } = stateHost(lab);
  const lock = await LabLock.acquire(host, { ...o, stateDir, lab: lab.name, runId: lab.runId });
  const owner = newOwnerTag();
  const record = new ChangeRecord(host, stateDir, { runId: lab.runId, owner });
  let restored: ChangeEntry[] = [];
  try {
    if (lock.how !== 'joined') {
      // Nobody else holds the lab: whatever is pending was left by a process that is gone.
      restored = await record.pending();
      if (restored.length) {
        log.warn(`lab ${lab.name}: reverting ${restored.length} change(s) that earlier run(s) left`);
        for (const e of restored) log.warn(`  ${describeChange(e.change)} (run ${e.run}, ${e.at})`);
      }
      const errors = await revertEntries(lab, record, restored);
      if (errors.length)
        throw new Error(
          `lab ${lab.name}: changes left by an earlier run could not be reverted:\n  ${errors.join('\n  ')}\nfix the cause, then run \`netscale lab restore\``,
        );
      await record.compact();
    }
  } catch (err) {
    await lock.release().catch(() => undefined);
    throw err;
  }

  const mine: ChangeEntry[] = [];
  const settle = async (entry: ChangeEntry, how: 'reverted' | 'kept') => {
    const i = mine.indexOf(entry);
    if (i < 0) return;
    if (how === 'reverted') await revertChange(lab, entry.change, entry.run);
    await record.close(entry, how);
    mine.splice(mine.indexOf(entry), 1);
  };
  let releasing: Promise<string[]> | undefined;
  const group = (): ChangeGroup => {
    const entries: ChangeEntry[] = [];
    const all = async (how: 'reverted' | 'kept') => {
      for (const e of entries.splice(0).reverse()) await settle(e, how);
    };
    return {
      record: async (c) => void entries.push(await claim.change(c)),
      get size() {
        return entries.length;
      },
      revertAll: () => all('reverted'),
      keepAll: () => all('kept'),
    };
  };
  const claim: LabClaim = {
    lock,
    record,
    restored,
    async change(c) {
      const entry = await record.append(c);
      mine.push(entry);
      return entry;
    },
    revert: (entry) => settle(entry, 'reverted'),
    keep: (entry) => settle(entry, 'kept'),
    group,
    pending: () => mine.length,
    release() {
      releasing ??= (async () => {
        const errors = await revertEntries(lab, record, mine.splice(0));
        // Left pending when it could not be reverted: the next run or `lab restore` tries again.
        if (lock.how !== 'joined' && errors.length === 0) await record.compact().catch(() => undefined);
        await lock.release().catch((err: Error) => errors.push(err.message));
        return errors;
      })();
      return releasing;
    },
  };
  return claim;
}
