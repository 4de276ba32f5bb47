/**
 * One change a run makes to a lab, written to the lab's change record (lib/lab/change-record.ts) before
 * it is made, so that it can be reverted after the run, also by the next run or `netscale lab restore`
 * when this run crashed. Each kind says what is needed to undo it without the process that made it.
 */
export type LabChange =
  | {
      /** An env file edited key by key; the original is kept beside it at `backup` until restored. */
      kind: 'env-file';
      /** Lab host name (lab file `hosts` key). */
      host: string;
      path: string;
      backup: string;
      /** The file did not exist before: restoring deletes it. */
      created: boolean;
      /** Restart the control node (controlNodes[index]) after restoring, so it runs with the original env. */
      restartControlNode?: number;
    }
  | {
      /** Secondary addresses added on a test server's interface. */
      kind: 'addresses';
      host: string;
      device: string;
      /** Addresses added, each with prefixLen. */
      addresses: string[];
      prefixLen: number;
    }
  | {
      /** Config API objects created by the run (only those it created, never ones that existed). */
      kind: 'config-objects';
      type: 'virtual-network' | 'network-policy' | 'bgp-router';
      fqNames: string[][];
    };

/** Records a change before it is made. */
export type RecordChange = (change: LabChange) => Promise<void>;
