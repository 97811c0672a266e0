import { EventEmitter } from 'eventemitter3';
import {
  AckTable,
  dispatchEvent,
  emitEvent,
  emitWithAckPromise,
  failAllAcks,
  settleAnswer,
  type EventHost,
} from '../protocol/event-dispatch.js';
import type { AckAnswer, EventEmitterApi, NotReserved, SocketListener, TimedEmitter } from '../protocol/event-api.js';
import type { AckResultCallback, AppItem, EventArgs, EventNames, JsonValue } from '../protocol/index.js';

/** A name the socket's listeners can be added for: one of its own events, or one of the app's. */
type ListenName<Own, Listen> = (keyof Own & string) | EventNames<Listen>;

/**
 * Adding and removing listeners, typed for the socket's own events (`Own`: `message`, `close` …)
 * and the app's named events (`Listen`, an event map). No `emit`: on a socket, `emit` sends to the
 * peer. The runtime is eventemitter3's (context and `once` arguments as there).
 */
export interface ListenerApi<Own, Listen> {
  on<E extends ListenName<Own, Listen>>(event: E, fn: SocketListener<Own, Listen, E>, context?: unknown): this;
  addListener<E extends ListenName<Own, Listen>>(event: E, fn: SocketListener<Own, Listen, E>, context?: unknown): this;
  once<E extends ListenName<Own, Listen>>(event: E, fn: SocketListener<Own, Listen, E>, context?: unknown): this;
  off<E extends ListenName<Own, Listen>>(event: E, fn?: SocketListener<Own, Listen, E>, context?: unknown, once?: boolean): this;
  removeListener<E extends ListenName<Own, Listen>>(event: E, fn?: SocketListener<Own, Listen, E>, context?: unknown, once?: boolean): this;
  removeAllListeners(event?: ListenName<Own, Listen>): this;
  listeners<E extends ListenName<Own, Listen>>(event: E): Array<SocketListener<Own, Listen, E>>;
  listenerCount(event: ListenName<Own, Listen>): number;
  eventNames(): Array<string | symbol>;
}

/** eventemitter3's class, typed as a listener API only (its `emit` is called as `EventEmitter.prototype.emit`). */
const TypedEmitter = EventEmitter as unknown as abstract new <Own, Listen>() => ListenerApi<Own, Listen>;

type AnyListener = (...args: never[]) => unknown;

/** An app event the client sent (the fields of an `e` frame). */
export interface IncomingEvent {
  name: string;
  args: JsonValue[];
  ackId: number | null;
}

/**
 * The server socket's side of named events (the Socket class extends this): `emit` sends an `e`
 * frame, `emitWithAck`/`timeout`/a trailing callback await the answer, incoming events go to the
 * app's handlers and are answered. The only per-session state is the ack table, created on the
 * first acknowledged emit.
 */
export abstract class SocketEventApi<Own, Listen, Emit> extends TypedEmitter<Own, Listen> implements EventEmitterApi<Emit> {
  /** Acks awaited from the client, or null until the first acknowledged emit (idle sessions pay one null field). */
  #acks: AckTable | null = null;

  /** @internal Numbers and queues an encoded item; false when the session has ended. */
  abstract queueItem(item: AppItem): boolean;

  /** @internal Answers this session may await at once (the server's `maxPendingAcks`). */
  protected abstract readonly ackLimit: number;

  /** @internal An exception from the app's handler: surfaced (the server's `error` event), never the session's end. */
  protected abstract reportAppError(error: unknown): void;

  /** Fires one of the socket's own events to its listeners (what eventemitter3's `emit` does). */
  protected fire(event: string, ...args: unknown[]): boolean {
    return (EventEmitter.prototype.emit as (this: unknown, event: string, ...args: unknown[]) => boolean).apply(this, [event, ...args]);
  }

  /**
   * Sends event `event` with `args` (JSON) to the client, delivered exactly once and in order with
   * messages; false when the session has ended (or, with a callback, when it was not sent: the
   * callback says why). With a function as the last argument the client's
   * handler is asked for an answer, given to it node-style `(error, answer)`. Throws a TypeError
   * for a reserved or invalid name or arguments JSON cannot carry.
   */
  emit<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: EventArgs<Emit, E>): boolean;
  emit<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: [...EventArgs<Emit, E>, AckResultCallback<AckAnswer<Emit, E>>]): boolean;
  emit(event: string, ...args: unknown[]): boolean {
    return emitEvent(eventHost(this), event, args, 0);
  }

  /**
   * Sends `event` and resolves with the client handler's answer (exactly once, across reconnects).
   * Rejects when the handler failed or there is none, or when the session ends first.
   */
  emitWithAck<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: EventArgs<Emit, E>): Promise<AckAnswer<Emit, E>>;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    return emitWithAckPromise(eventHost(this), event, args, 0);
  }

  timeout(ms: number): TimedEmitter<Emit> {
    const host = eventHost(this);
    return {
      emit: (event: string, ...args: unknown[]) => emitEvent(host, event, args, ms),
      emitWithAck: (event: string, ...args: unknown[]) => emitWithAckPromise(host, event, args, ms),
    } as unknown as TimedEmitter<Emit>;
  }

  /** @internal An app event from the client, delivered in order: the app's handlers run and the one answer goes back. */
  receiveEvent(event: IncomingEvent): void {
    const self = this as unknown as { listeners(name: string): AnyListener[]; removeListener(name: string, fn: AnyListener, context: undefined, once: true): void };
    const handlers = self.listeners(event.name);
    // `once` handlers go before they run, as eventemitter3's emit does (it cannot hand back their answers)
    for (let i = 0; i < handlers.length; i++) self.removeListener(event.name, handlers[i], undefined, true);
    dispatchEvent(
      this,
      handlers,
      event.name,
      event.args,
      event.ackId,
      (item) => void this.queueItem(item),
      (error) => this.reportAppError(error),
    );
  }

  /** @internal The client's answer to an acknowledged emit; a late (timed out) or unknown one is dropped. */
  receiveAnswer(ackId: number, value: JsonValue, error: string | null): void {
    settleAnswer(this.#acks, ackId, value, error, (e) => this.reportAppError(e));
  }

  /** @internal The session ended: every ack still awaited fails with `reason`. */
  endEvents(reason: string): void {
    const acks = this.#acks;
    this.#acks = null;
    failAllAcks(acks, reason, (e) => this.reportAppError(e));
  }

  /** @internal The ack table, created on first use. */
  ackTable(): AckTable {
    if (this.#acks === null) this.#acks = new AckTable(this.ackLimit);
    return this.#acks;
  }
}

/** The EventHost of a socket (protocol/event-dispatch.ts): built per emit call, so a socket keeps none. */
function eventHost(socket: { ackTable(): AckTable; queueItem(item: AppItem): boolean }): EventHost {
  return {
    ackTable: () => socket.ackTable(),
    queueEvent: (item) => socket.queueItem(item),
    endedError: () => new Error('the session has ended'),
    later: (fn) => process.nextTick(fn),
    startTimer: (fn, ms) => {
      const timer = setTimeout(fn, ms);
      timer.unref();
      return timer;
    },
    stopTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
  };
}
