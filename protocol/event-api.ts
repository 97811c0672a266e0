import type { AckCallback, AckResultCallback, EventAnswer, EventArgs, EventHandler, EventNames, ReservedEventName } from './event-maps.js';
import type { JsonValue } from './frames.js';

/**
 * The typed surface of named events, the same on the server's Socket and the client's socket
 * (the runtime is protocol/event-dispatch.ts).
 */

/**
 * What an acknowledged emit of `E` resolves with: the handler's answer type, without `void` (a
 * handler that answers nothing sends null).
 */
export type AckAnswer<M, E extends keyof M> = [EventAnswer<M, E>] extends [void] ? null : Exclude<EventAnswer<M, E>, void>;

/** `E` itself, or `never` when it is a reserved name: `emit('close')` is a type error even with the default map. */
export type NotReserved<E> = E extends ReservedEventName ? never : unknown;

/** A handler of any event of a map with an index signature (the default map): any JSON arguments, then the answer callback. */
type LooseHandler = {
  // a method's parameters are compared both ways, so `(text: string) => …` fits
  handler(...args: Array<JsonValue | AckCallback<JsonValue>>): unknown;
}['handler'];

/** The listener of app event `E` of map `M` (see EventHandler; loose for the default map). */
export type AppListener<M, E> = string extends keyof M ? LooseHandler : E extends keyof M ? EventHandler<M, E> : never;

/** The listener of a socket's own event `E` (`Own`, tuple-style), or of the app's event `E` (`Listen`, function-style). */
export type SocketListener<Own, Listen, E> = E extends keyof Own
  ? Own[E] extends unknown[]
    ? (...args: Own[E]) => void
    : never
  : AppListener<Listen, E>;

/** Acknowledged emits, with a time limit (`socket.timeout(ms)`): past it the ack fails locally and a late answer is dropped. */
export interface TimedEmitter<Emit> {
  /** Emits `event`; `callback` gets `(null, answer)`, or an Error when the time runs out, the handler failed or the session ended. */
  emit<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: [...EventArgs<Emit, E>, AckResultCallback<AckAnswer<Emit, E>>]): boolean;
  /** Emits `event` and resolves with its answer; rejects when the time runs out, the handler failed or the session ended. */
  emitWithAck<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: EventArgs<Emit, E>): Promise<AckAnswer<Emit, E>>;
}

/** Sending named events to the peer. */
export interface EventEmitterApi<Emit> {
  /**
   * Sends event `event` with `args` (JSON) to the peer, delivered exactly once and in order with
   * messages; false when the session has ended (or, with a callback, when it was not sent: the
   * callback says why). With a function as the last argument the peer's
   * handler is asked for an answer, given to it node-style `(error, answer)`. Throws a TypeError
   * for a reserved or invalid name or arguments JSON cannot carry.
   */
  emit<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: EventArgs<Emit, E>): boolean;
  emit<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: [...EventArgs<Emit, E>, AckResultCallback<AckAnswer<Emit, E>>]): boolean;
  /**
   * Sends `event` and resolves with the peer handler's answer (exactly once, across reconnects).
   * Rejects when the handler failed or there is none, or when the session ends first.
   */
  emitWithAck<E extends EventNames<Emit>>(event: E & NotReserved<E>, ...args: EventArgs<Emit, E>): Promise<AckAnswer<Emit, E>>;
  /** The same emits, failing locally when no answer came within `ms` milliseconds. */
  timeout(ms: number): TimedEmitter<Emit>;
}
