/**
 * `<instance>.inet.0`: paths per prefix from each agent, best path chosen
 * per prefix, changed prefixes collected and encoded once into shared
 * update batches (≤32 adds or ≤256 retracts each, one table per batch) that
 * are queued to every subscriber.
 */
import { END_OF_RIB_BODY, itemsAddBody, itemsRetractBody, type InetRoute } from '../xmpp/index.ts';
import type { UpdateBatch } from './update-batch.ts';

export const MAX_ADDS_PER_MESSAGE = 32;
export const MAX_RETRACTS_PER_MESSAGE = 256;

/** A subscriber of a table: receives batches and tells how many of this table's updates it still holds. */
export interface TableSubscriber {
  enqueue(batch: UpdateBatch): void;
  queuedFor(table: RouteTable): number;
}

/** Callbacks the table uses to report installs and pending-count changes to its owner. */
export interface TableObserver {
  routeInstalled(): void;
  pendingChanged(delta: number): void;
  scheduleFlush(table: RouteTable): void;
}

export const END_OF_RIB_BATCH: UpdateBatch = {
  body: Buffer.from(END_OF_RIB_BODY),
  items: 0,
  table: undefined,
};

export class RouteTable {
  /** prefix -> (peer name -> path). Map order = arrival order, so the first path is the best (oldest) one. */
  private readonly routes = new Map<string, Map<string, InetRoute>>();
  /** Prefixes whose advertisement may have changed since the last flush. */
  private dirty = new Set<string>();
  /** Prefix -> route last advertised (to know add vs retract vs no change). */
  private readonly advertised = new Map<string, InetRoute>();
  readonly subscribers = new Set<TableSubscriber>();
  private pathCount = 0;
  /** Updates encoded and queued to subscribers but not yet written to their sockets. */
  queuedUpdates = 0;

  constructor(
    readonly instance: string,
    readonly name: string,
    private readonly observer: TableObserver,
  ) {}

  get prefixes(): number {
    return this.routes.size;
  }
  get paths(): number {
    return this.pathCount;
  }
  /** pending_updates: changes not yet encoded plus encoded updates not yet written. */
  get pendingUpdates(): number {
    return this.dirty.size + this.queuedUpdates;
  }
  /** markers: subscribers that still hold queued updates of this table (their position in its update queue). */
  get markers(): number {
    let n = 0;
    for (const s of this.subscribers) if (s.queuedFor(this) > 0) n++;
    return n;
  }

  addPath(peer: string, route: InetRoute): void {
    let paths = this.routes.get(route.prefix);
    if (!paths) {
      paths = new Map();
      this.routes.set(route.prefix, paths);
    }
    if (!paths.has(peer)) this.pathCount++;
    paths.set(peer, route);
    this.observer.routeInstalled();
    if (paths.keys().next().value === peer) this.markDirty(route.prefix);
  }

  deletePath(peer: string, prefix: string): boolean {
    const paths = this.routes.get(prefix);
    if (!paths?.has(peer)) return false;
    const wasBest = paths.keys().next().value === peer;
    paths.delete(peer);
    this.pathCount--;
    if (paths.size === 0) this.routes.delete(prefix);
    if (wasBest) this.markDirty(prefix);
    return true;
  }

  /** Removes every path; the next flush retracts them from subscribers (instance deleted, restart). */
  clear(): void {
    for (const prefix of this.routes.keys()) this.markDirty(prefix);
    this.routes.clear();
    this.pathCount = 0;
  }

  private markDirty(prefix: string): void {
    if (this.dirty.has(prefix)) return;
    this.dirty.add(prefix);
    this.observer.pendingChanged(1);
    if (this.dirty.size === 1) this.observer.scheduleFlush(this);
  }

  /** Encodes the changes since the last flush once and queues them to every subscriber. */
  flush(): void {
    const changed = this.dirty;
    if (changed.size === 0) return;
    this.dirty = new Set();
    const adds: InetRoute[] = [];
    const retracts: string[] = [];
    for (const prefix of changed) {
      const best = this.bestPath(prefix);
      if (best) {
        if (this.advertised.get(prefix) !== best) {
          this.advertised.set(prefix, best);
          adds.push(best);
        }
      } else if (this.advertised.delete(prefix)) {
        retracts.push(prefix);
      }
    }
    const batches = this.encode(adds, retracts);
    const subscribers = this.subscribers.size;
    const queued = (adds.length + retracts.length) * subscribers;
    this.queuedUpdates += queued;
    this.observer.pendingChanged(queued - changed.size);
    for (const s of this.subscribers) for (const b of batches) s.enqueue(b);
  }

  /** Batches carrying the whole table, for a new subscriber. */
  snapshot(): UpdateBatch[] {
    return this.encode([...this.advertised.values()], []);
  }

  /** Accounts `items` of the snapshot queued to one new subscriber. */
  addQueued(items: number): void {
    this.queuedUpdates += items;
    this.observer.pendingChanged(items);
  }

  /** Called by a subscriber when it wrote (or dropped) queued updates of this table. */
  written(items: number): void {
    this.queuedUpdates -= items;
    this.observer.pendingChanged(-items);
  }

  private bestPath(prefix: string): InetRoute | undefined {
    const paths = this.routes.get(prefix);
    return paths ? paths.values().next().value : undefined;
  }

  private encode(adds: InetRoute[], retracts: string[]): UpdateBatch[] {
    const out: UpdateBatch[] = [];
    for (let i = 0; i < adds.length; i += MAX_ADDS_PER_MESSAGE) {
      const chunk = adds.slice(i, i + MAX_ADDS_PER_MESSAGE);
      out.push({ body: Buffer.from(itemsAddBody(this.instance, chunk)), items: chunk.length, table: this });
    }
    for (let i = 0; i < retracts.length; i += MAX_RETRACTS_PER_MESSAGE) {
      const chunk = retracts.slice(i, i + MAX_RETRACTS_PER_MESSAGE);
      out.push({
        body: Buffer.from(itemsRetractBody(this.instance, chunk)),
        items: chunk.length,
        table: this,
      });
    }
    return out;
  }
}
