import type { JsonValue, TransportName } from '../protocol/index.js';

/** Where a client socket is in its life. */
export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What `close` says besides its reason. */
export interface CloseInfo {
  /** A new session is being started (the old one expired or the server restarted); `open` follows once it is up. */
  renewing: boolean;
  /** The close code the server's `close` frame gave (1000 for `socket.close()`); absent when the session ended on this side. */
  code?: number;
  /**
   * The `data` of the `Refusal` the server's handshake middleware refused this client with, when
   * it gave some and the refusal came over HTTP (a direct WebSocket's close carries only the message).
   */
  data?: JsonValue;
}

export type ClientSocketEvents = {
  /** A session is established (the first one, or a new one after the old could not be resumed). */
  open: [];
  /** An application message: a JSON value, or bytes as a Uint8Array. */
  message: [data: JsonValue | Uint8Array];
  /** The session is now carrying messages over this transport (it proved it works). */
  transport: [name: TransportName];
  /** The connection dropped; the client is trying to resume the same session. */
  reconnecting: [reason: string];
  /** The session was resumed on a new connection; nothing was lost. */
  reconnect: [];
  /**
   * The session ended. `renewing` is true when a new session is being started (the old one
   * expired or the server restarted); `open` follows once it is up. `code` is the close code the
   * server's `close` frame gave (1000 for `socket.close()`), absent when the session ended on this
   * side; `data` a handshake refusal's data (CloseInfo).
   */
  close: [reason: string, info: CloseInfo];
  /**
   * `bufferedAmount` fell to `drainBelow` or under after having been above it: a producer that
   * waited may send again. Once per crossing; not when the session ends (its messages are gone:
   * wait for `close` too).
   */
  drain: [];
  /**
   * A message queued before the session was up was refused once the server's limits were known
   * (it exceeds `maxMessageSize`). It was not sent and took no sequence number: the messages
   * queued after it are delivered in order, and the session carries on.
   */
  dropped: [data: JsonValue | Uint8Array, reason: string];
  /**
   * One of the app's listeners threw (client/emitter.ts). The socket carries on: the message
   * counts as delivered, and the listeners after it still run. Without an `error` listener the
   * exception is thrown again a moment later, outside Ferry, as an uncaught exception.
   */
  error: [error: Error];
};
