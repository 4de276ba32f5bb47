/**
 * One agent's XMPP session on the control node: reads the stream, answers
 * the header, turns iqs into subscription and route operations on the
 * ControlNode, and writes queued update batches with socket backpressure.
 */
import type { Socket } from 'node:net';
import {
  CONTROL_NODE_JID,
  EVENT_MESSAGE_CLOSE,
  MASTER_INSTANCE,
  STREAM_CLOSE,
  XmppParseError,
  XmppStreamReader,
  eventMessageOpen,
  readAgentIq,
  streamOpen,
  type AgentRequest,
  type InetRoute,
  type XmlElement,
  type XmppEvent,
} from '../xmpp/index.ts';
import type { RouteTable, TableSubscriber } from './route-table.ts';
import type { UpdateBatch } from './update-batch.ts';
import type { ControlNode } from './control-node.ts';

export type SessionState = 'Active' | 'Established' | 'Closed';

/** An agent's subscription to one instance; its routes are kept here too so a pending one can be replayed. */
export interface Subscription {
  instanceId: number | undefined;
  /** prefix -> route this agent published in the instance. */
  routes: Map<string, InetRoute>;
  /** Table the routes are installed in; undefined while the instance is not configured (pending). */
  table: RouteTable | undefined;
}

/**
 * Bytes buffered in the socket above which we stop writing and wait for 'drain'. Small, so one turn of
 * the event loop never writes megabytes to many subscribers at once: introspect stays responsive under
 * load, as the real node's worker threads keep it.
 */
const WRITE_HIGH_WATER = 1 << 16;

/** A stream event with an iq's requests read once (their route operations are counted before they are applied). */
type SessionWork =
  Exclude<XmppEvent, { kind: 'stanza' }> | { kind: 'stanza'; stanza: XmlElement; requests: AgentRequest[] };

function toWork(ev: XmppEvent): SessionWork {
  if (ev.kind !== 'stanza') return ev;
  return { ...ev, requests: ev.stanza.name === 'iq' ? readAgentIq(ev.stanza) : [] };
}

function countPublishes(requests: AgentRequest[]): number {
  let n = 0;
  for (const r of requests) if (r.kind === 'publish') n++;
  return n;
}
const EVENT_CLOSE = Buffer.from(EVENT_MESSAGE_CLOSE);

export class AgentSession implements TableSubscriber {
  state: SessionState = 'Active';
  /** Agent JID from the stream header, e.g. agent0.1@vnsw.contrailsystems.com. */
  name = '';
  readonly remote: string;
  readonly local: string;
  readonly subscriptions = new Map<string, Subscription>();
  lastReceiveMs: number;
  lastSendMs: number;
  lastSubscribeMs = 0;
  endOfRibSent = false;
  /** Whether the stream was ever answered (a close then counts as a flap). */
  wasEstablished = false;
  lastEvent = 'none';
  rxMessages = 0;
  txMessages = 0;
  private readonly reader = new XmppStreamReader();
  /** Input read but not yet processed (the node's route processing is behind), oldest first. */
  private readonly held: Array<{ work: SessionWork[]; readyAt: number }> = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private messageHead: Buffer = Buffer.alloc(0);
  private queue: UpdateBatch[] = [];
  private queueHead = 0;
  private readonly queuedByTable = new Map<RouteTable, number>();
  private writing = false;

  constructor(
    private readonly node: ControlNode,
    private readonly socket: Socket,
    nowMs: number,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.local = `${socket.localAddress}:${socket.localPort}`;
    this.lastReceiveMs = nowMs;
    this.lastSendMs = nowMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.writeQueued());
    // A socket error is always followed by 'close', which ends the session.
    socket.on('error', () => {});
    socket.on('close', () => this.closed('connection closed by peer'));
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'Closed') return;
    this.lastReceiveMs = this.node.nowMs();
    let work: SessionWork[];
    try {
      work = this.reader.push(chunk).map(toWork);
    } catch (err) {
      if (err instanceof XmppParseError) return this.close(`malformed XML: ${err.message}`);
      throw err;
    }
    // The node's route processing is a queue: these route operations are done, and show in its tables,
    // once the operations received before them and their own cost have passed.
    const routeOps = work.reduce((n, w) => n + (w.kind === 'stanza' ? countPublishes(w.requests) : 0), 0);
    this.held.push({ work, readyAt: this.node.processingDoneAt(routeOps) });
    this.applyHeld();
  }

  /** Applies held input whose processing time has come; pauses the socket while any is waiting. */
  private applyHeld(): void {
    while (this.held.length > 0 && this.state !== 'Closed') {
      const next = this.held[0]!;
      const waitMs = next.readyAt - this.node.nowMs();
      // Below a timer's granularity: apply now; the node's queue still carries the whole cost forward.
      if (waitMs >= 1) {
        this.socket.pause();
        if (!this.heldTimer)
          this.heldTimer = setTimeout(() => {
            this.heldTimer = undefined;
            this.applyHeld();
          }, waitMs).unref();
        return;
      }
      this.held.shift();
      this.apply(next.work);
    }
    if (this.state !== 'Closed') this.socket.resume();
  }

  private apply(work: SessionWork[]): void {
    const began = process.hrtime.bigint();
    for (const w of work) {
      if (w.kind === 'open') this.onOpen(w.attrs);
      else if (w.kind === 'stanza') this.onStanza(w.stanza, w.requests);
      else if (w.kind === 'close') return this.close('stream closed by agent');
      if (this.isClosed()) return;
    }
    // A slowdown of f also makes the node's real work on this input take f times as long.
    this.node.processingTook(Number(process.hrtime.bigint() - began) / 1e6);
  }

  private isClosed(): boolean {
    return this.state === 'Closed';
  }

  private onOpen(attrs: Record<string, string>): void {
    this.name = attrs.from ?? '';
    if (!this.name) return this.close('stream header without from');
    const refusal = this.node.admissionRefusal();
    if (refusal) return this.close(refusal);
    this.send(streamOpen({ from: CONTROL_NODE_JID, to: this.name, id: this.node.nextStreamId() }));
    this.messageHead = Buffer.from(eventMessageOpen(this.name));
    this.state = 'Established';
    this.lastEvent = 'xmsm::EvXmppOpen';
    this.wasEstablished = true;
    this.node.sessionEstablished(this);
  }

  private onStanza(stanza: XmlElement, requests: AgentRequest[]): void {
    this.rxMessages++;
    if (stanza.name !== 'iq') return;
    for (const req of requests) {
      switch (req.kind) {
        case 'subscribe':
          if (this.subscriptions.has(req.instance))
            return this.fail(`duplicate subscribe to ${req.instance}`);
          this.lastSubscribeMs = this.node.nowMs();
          this.node.subscribe(this, req.instance, req.instanceId);
          break;
        case 'unsubscribe':
          if (!this.subscriptions.has(req.instance))
            return this.fail(`unsubscribe without subscribe: ${req.instance}`);
          this.node.unsubscribe(this, req.instance);
          break;
        case 'publish': {
          const sub = this.subscriptions.get(req.instance);
          if (!sub) return this.fail(`route for unsubscribed instance ${req.instance || '(none)'}`);
          if (!req.prefix) return this.fail('publish without a prefix');
          if (req.route) {
            if (req.route.label === 0 && req.instance !== MASTER_INSTANCE)
              return this.fail(`label 0 for ${req.prefix} outside the master instance`);
            this.node.addRoute(this, sub, { ...req.route, prefix: req.prefix });
          } else {
            this.node.deleteRoute(this, sub, req.prefix);
          }
          break;
        }
        case 'associate':
        case 'dissociate':
          if (!this.subscriptions.has(req.instance))
            return this.fail(`route for unsubscribed instance ${req.instance || '(none)'}`);
          break;
        case 'other':
          break;
      }
    }
  }

  /** Closes on a protocol error (a `return this.fail(...)` ends the stanza). */
  private fail(reason: string): void {
    this.close(reason);
  }

  enqueue(batch: UpdateBatch): void {
    if (this.state !== 'Established') {
      batch.table?.written(batch.items);
      return;
    }
    this.queue.push(batch);
    if (batch.table)
      this.queuedByTable.set(batch.table, (this.queuedByTable.get(batch.table) ?? 0) + batch.items);
    if (!this.writing) {
      this.writing = true;
      setImmediate(() => this.writeQueued());
    }
  }

  queuedFor(table: RouteTable): number {
    return this.queuedByTable.get(table) ?? 0;
  }

  /** Writes queued batches until the socket buffer is full; 'drain' resumes. */
  private writeQueued(): void {
    this.writing = false;
    if (this.state !== 'Established') return;
    const s = this.socket;
    s.cork();
    while (this.queueHead < this.queue.length && s.writableLength < WRITE_HIGH_WATER) {
      const b = this.queue[this.queueHead++]!;
      s.write(this.messageHead);
      s.write(b.body);
      s.write(EVENT_CLOSE);
      this.txMessages++;
      this.node.events.counters.updatesSent += b.items;
      if (b.table) {
        this.queuedByTable.set(b.table, this.queuedByTable.get(b.table)! - b.items);
        b.table.written(b.items);
      }
    }
    process.nextTick(() => s.uncork());
    this.lastSendMs = this.node.nowMs();
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 4096) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  send(text: string): void {
    if (this.state === 'Closed') return;
    this.socket.write(text);
    this.lastSendMs = this.node.nowMs();
  }

  /** Closes the session (protocol error, hold time, flap, restart). */
  close(reason: string): void {
    if (this.state === 'Closed') return;
    if (this.state === 'Established') this.socket.write(STREAM_CLOSE);
    this.socket.end();
    this.socket.destroySoon();
    this.closed(reason);
  }

  private closed(reason: string): void {
    if (this.state === 'Closed') return;
    this.state = 'Closed';
    this.lastEvent = 'xmsm::EvTcpClose';
    clearTimeout(this.heldTimer);
    this.held.length = 0;
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const b = this.queue[i]!;
      b.table?.written(b.items);
    }
    this.queue = [];
    this.queueHead = 0;
    this.queuedByTable.clear();
    this.node.sessionClosed(this, reason);
    if (!this.socket.destroyed) setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
