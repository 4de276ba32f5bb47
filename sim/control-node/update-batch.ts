import type { RouteTable } from './route-table.ts';

/**
 * One encoded <items> body, shared by every subscriber it is queued for
 * (the real control node also builds a message once and sends it to all
 * peers of a RibOut). `items` is the number of route updates it carries.
 */
export interface UpdateBatch {
  readonly body: Buffer;
  readonly items: number;
  /** Table whose pending_updates counter this batch is part of (undefined for End-of-RIB). */
  readonly table: RouteTable | undefined;
}
