import type { DefaultEvents, EventNames, JsonValue, TransportName } from '../protocol/index.js';
import type { EventEmitterApi, SocketListener } from '../protocol/event-api.js';
import type { ClientSocketEvents, SocketState } from './socket-events.js';
import type { TransportAttempt } from './transport-plan.js';
import type { ClientVolatile } from './backpressure.js';

/** A name listeners can be added for: one of the socket's own events, or one of the app's. */
type ListenName<Listen> = keyof ClientSocketEvents | EventNames<Listen>;

/**
 * A Ferry socket as the app holds it: what `connect` returns. Only the documented members; the
 * implementation (client/socket.ts) is not exported, and the session secret is on no property.
 */
export interface ClientSocket<ListenEvents = DefaultEvents, EmitEvents = DefaultEvents> extends EventEmitterApi<EmitEvents> {
  /** 'connecting' | 'open' | 'reconnecting' | 'closed'. */
  readonly state: SocketState;
  /** Public session id, once known ('' before). */
  readonly id: string;
  /** The transport in use, or null before the first one is up. */
  readonly transport: TransportName | null;
  /** The subprotocol the server picked from the `protocols` option; '' when none were offered, or before `open`. */
  readonly protocol: string;
  /** Why each transport was or was not used, newest last. */
  readonly attempts: TransportAttempt[];
  /** Heartbeat interval this client asks of the server after seeing idle cuts (ms), or 0 for the server's. */
  readonly heartbeat: number;
  /**
   * Queues a message; delivered exactly once, in order. Throws a RangeError above the server's
   * `maxMessageSize`, an Error when the buffer is full, and a TypeError for a value that is not
   * JSON or holds bytes inside it. Returns false when the socket is closed.
   */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean;
  /**
   * Bytes sent and not yet acknowledged by the server, plus what the WebSocket itself still
   * buffers. A producer waits for `drain` while it is above `drainBelow`; past the
   * `maxBufferedBytes` option `send` throws.
   */
  readonly bufferedAmount: number;
  /** The low-water mark of `drain` (the `drainBelow` option). */
  readonly drainBelow: number;
  /**
   * Sends and emits dropped (returning false, queueing nothing) while the socket is not open
   * (connecting, reconnecting): for state that is stale by then. Once handed over, one is
   * delivered like any other (it may be resent on resume).
   */
  readonly volatile: ClientVolatile<EmitEvents>;
  /** Ends the session; the server is told. */
  close(): void;
  /**
   * Listens to one of the socket's own events (`open`, `message`, `close` …), or to a named event
   * the server emits (typed by `ListenEvents`). An event handler gets the event's arguments and an
   * answer callback; when the server asked for an answer, it answers by returning a value (or a
   * Promise of one) or by calling the callback. The first answer counts.
   */
  on<K extends ListenName<ListenEvents>>(event: K, fn: SocketListener<ClientSocketEvents, ListenEvents, K>): this;
  /** Like `on`, for the next emit only. */
  once<K extends ListenName<ListenEvents>>(event: K, fn: SocketListener<ClientSocketEvents, ListenEvents, K>): this;
  /** Removes `fn` from `event`; without `fn`, every listener of `event`; without both, every listener. */
  off<K extends ListenName<ListenEvents>>(event?: K, fn?: SocketListener<ClientSocketEvents, ListenEvents, K>): this;
}
