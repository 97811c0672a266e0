import type { DefaultEvents, EventArgs, EventNames, JsonValue } from '../protocol/index.js';
import type { NotReserved } from '../protocol/event-api.js';

/**
 * `socket.volatile`: sends that are dropped, instead of queued, when they cannot go out now (the
 * session is reconnecting, or its transport is not taking writes: a WebSocket or stream whose
 * client is not reading, a poll not currently held). For state that is stale by the time a
 * reconnect happens: cursor positions, game state. A dropped send returns false, queues nothing and
 * uses no sequence number. A send that goes out is an ordinary one: delivered exactly once and in
 * order, resent on resume like any other. It is never dropped once handed over.
 */
export interface VolatileSocket<EmitEvents = DefaultEvents> {
  /** Sends `data` if it can go out now (see `send`); false when dropped or the session has ended. */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean;
  /** Emits `event` if it can go out now (see `emit`; no ack callback: a dropped event gets no answer). False when dropped. */
  emit<E extends EventNames<EmitEvents>>(event: E & NotReserved<E>, ...args: EventArgs<EmitEvents, E>): boolean;
}

interface Sender {
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean;
  /** Typed per socket (its event map); called here with the arguments as given. */
  readonly emit: object;
}

/** The volatile view of `socket`: made per use (a socket keeps no field for it). */
export function volatileSocket<EmitEvents>(socket: Sender, writableNow: () => boolean): VolatileSocket<EmitEvents> {
  const emit = socket.emit as (this: Sender, event: string, ...args: unknown[]) => boolean;
  return {
    send: (data) => writableNow() && socket.send(data),
    emit: ((event: string, ...args: unknown[]) => writableNow() && emit.call(socket, event, ...args)) as VolatileSocket<EmitEvents>['emit'],
  };
}
