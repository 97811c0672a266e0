import { encodeAck, encodeControl, type ReliableChannel } from '../protocol/index.js';
import type { ClientEnv } from './env/env.js';
import type { NamedTimers } from './named-timers.js';
import type { ClientTransport } from './transports/transport.js';

/** Where the outbox writes: the current transport and channel, or null while there is none. */
export interface OutboxTarget {
  transport: ClientTransport;
  channel: ReliableChannel;
  maxMessageSize: number;
}

/** Unacknowledged inbound messages, or bytes of the packets that carried them, that are acknowledged at once. */
const ACK_NOW_MESSAGES = 64;
const ACK_NOW_BYTES = 32 * 1024;
/**
 * The longest an ack waits below those, in ms. Longer than a broadcast to thousands takes, so the
 * first recipients' acks do not compete with the delivery to the last ones (a server reads
 * thousands of ack packets at once otherwise), and what arrives meanwhile is acknowledged by one.
 * The server holds what is unacknowledged within its budget; it sends nothing again for a delay.
 */
const ACK_LAZY_MS = 1000;

/**
 * What goes out next, batched into as few transport writes as possible: the pong owed, the ack
 * owed (at once from 64 messages or 32 KiB, else within a second, and with any earlier write),
 * and the unwritten messages.
 */
export class Outbox {
  private readonly _env: ClientEnv;
  private readonly _timers: NamedTimers;
  private readonly _target: () => OutboxTarget | null;
  private _pong = 0;
  /** A control that must lead the next write on that transport (a stream's `upgrade`), or null. */
  private _lead: { transport: ClientTransport; text: string } | null = null;
  private _queued = false;
  /** Bytes of the packets whose messages are not acknowledged yet. */
  private _unackedBytes = 0;

  constructor(env: ClientEnv, timers: NamedTimers, target: () => OutboxTarget | null) {
    this._env = env;
    this._timers = timers;
    this._target = target;
  }

  /** The server pinged: answer with this pong at the next write. */
  owePong(n: number): void {
    this._pong = n;
    this.queue();
  }

  /** `text` goes first in the next write on `transport` (dropped if another transport writes first). */
  lead(transport: ClientTransport, text: string): void {
    this._lead = { transport, text };
    this.queue();
  }

  /** Messages arrived in a packet of `bytes`: acknowledge them soon, or now when much is waiting. */
  oweAck(channel: ReliableChannel, bytes: number): void {
    this._unackedBytes += bytes;
    // a write is already queued (the app answered at once): it carries the ack, no timer needed
    if (this._queued) return;
    if (channel.unackedInbound() >= ACK_NOW_MESSAGES || this._unackedBytes >= ACK_NOW_BYTES) return this.queue();
    if (!this._timers.has('ack')) this._timers.set('ack', ACK_LAZY_MS, () => this.flush());
  }

  /** Writes at the end of the current task, so sends made together travel together. */
  queue(): void {
    if (this._queued) return;
    this._queued = true;
    this._env.defer(() => {
      this._queued = false;
      this.flush();
    });
  }

  flush(): void {
    const target = this._target();
    if (!target) return;
    const t = target.transport;
    const channel = target.channel;
    const budget = Math.min(t.batchBytes, Math.floor((target.maxMessageSize - 1024) / 3));
    while (t.writable) {
      const controls: string[] = [];
      const lead = this._lead;
      if (lead !== null && lead.transport === t) controls.push(lead.text);
      this._lead = null;
      if (this._pong > 0) controls.push(encodeControl({ type: 'pong', n: this._pong }));
      // a pending ack timer is left to run: when it fires with nothing owed it does nothing, which
      // is cheaper than setting and clearing a timer for every message
      if (channel.unackedInbound() > 0) {
        controls.push(encodeAck(channel.takeAck()));
        this._unackedBytes = 0;
      }
      const entries = channel.hasUnwritten() ? channel.takeUnwritten(budget) : [];
      if (controls.length === 0 && entries.length === 0) return;
      this._pong = 0;
      t.send(controls, entries);
    }
  }
}
