import type { JsonValue, TransportName } from '../protocol/index.js';
import type { ClientSocketEvents, SocketState } from './socket-events.js';
import type { TransportAttempt } from './transport-plan.js';

type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * A Ferry socket as the app holds it: what `connect` returns. Only the documented members; the
 * implementation (client/socket.ts) is not exported, and the session secret is on no property.
 */
export interface ClientSocket {
  /** 'connecting' | 'open' | 'reconnecting' | 'closed'. */
  readonly state: SocketState;
  /** Public session id, once known ('' before). */
  readonly id: string;
  /** The transport in use, or null before the first one is up. */
  readonly transport: TransportName | null;
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
  /** Ends the session; the server is told. */
  close(): void;
  on<K extends keyof ClientSocketEvents>(event: K, fn: Listener<ClientSocketEvents[K]>): this;
  /** Like `on`, for the next emit only. */
  once<K extends keyof ClientSocketEvents>(event: K, fn: Listener<ClientSocketEvents[K]>): this;
  /** Removes `fn` from `event`; without `fn`, every listener of `event`; without both, every listener. */
  off<K extends keyof ClientSocketEvents>(event?: K, fn?: Listener<ClientSocketEvents[K]>): this;
}
