/**
 * Close codes, carried by `close` frames (the session ends) and used as WebSocket close codes.
 * 1000 is a normal close (a client closing its WebSocket with 1000 ends its session); 4xxx are
 * Ferry's own. PING_TIMEOUT, TRANSPORT_REPLACED, STALE_TRANSPORT and TRANSPORT_CLOSED close one
 * WebSocket only; the session goes on. Requests refused before a
 * WebSocket exists (bad token, bad origin) get HTTP errors instead.
 */
export const CloseCode = {
  NORMAL: 1000,
  SERVER_SHUTDOWN: 4000,
  SESSION_UNKNOWN: 4001,
  PROTOCOL_ERROR: 4004,
  MESSAGE_TOO_LARGE: 4005,
  BUFFER_OVERFLOW: 4006,
  PING_TIMEOUT: 4007,
  TRANSPORT_REPLACED: 4008,
  TOO_MANY_SESSIONS: 4009,
  RESUME_WINDOW_EXPIRED: 4010,
  STALE_TRANSPORT: 4011,
  /** Client → server, bare WebSocket close: the client closed this WebSocket only (it moved to another transport or gave up a probe); the session goes on. */
  TRANSPORT_CLOSED: 4012,
  /** The server was full and ended this session, which had carried no message, to make room for a new one. */
  EVICTED: 4013,
  /**
   * Server → client, a direct WebSocket to a server without `websocket`: the reason is
   * `transport disabled; enabled: ` and the server's transports, comma-separated. No session was made.
   */
  TRANSPORT_DISABLED: 4014,
  /**
   * Server → client, a direct WebSocket: the app's handshake middleware refused the client (the
   * WebSocket form of HTTP 401/403 `unauthorized`/`forbidden`); the reason is the app's message.
   * No session was made; the client does not retry.
   */
  UNAUTHORIZED: 4401,
  /**
   * Server → client, a direct WebSocket: the server speaks none of the subprotocols the client
   * offered (the WebSocket form of HTTP 400 `subprotocol_refused`). No session was made; the client
   * does not retry.
   */
  SUBPROTOCOL_REFUSED: 4015,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Error bodies of HTTP responses: `{"error": code, "message": text}` with this status. */
export const HttpError = {
  bad_request: 400,
  malformed_packet: 400,
  unsupported_version: 400,
  unauthorized: 401,
  forbidden: 403,
  invalid_token: 403,
  origin_not_allowed: 403,
  host_not_allowed: 403,
  transport_disabled: 403,
  unknown_session: 404,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  poll_pending: 409,
  stale_transport: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_address_sessions: 429,
  unsupported_websocket_version: 426,
  too_many_sessions: 503,
  /** The server was closed (`ferry.close()`) and its path answers nothing else: the client tries again, as after a dropped request (behind a balancer, another node answers). */
  server_closed: 503,
  /** The handshake offered subprotocols and the server's `handleProtocols` took none of them: the client ends. */
  subprotocol_refused: 400,
  server_error: 500,
  /** Cluster: the node that owns the session (its id names it) could not be reached over Redis; the client resumes. */
  node_unavailable: 502,
  /** Cluster: the node that owns the session took too long to answer a relayed request; the client resumes. */
  node_timeout: 504,
  /** Cluster: the node that owned the session is gone (left the cluster or died): the session ended with it; the client renews. */
  node_lost: 404,
} as const;

export type HttpErrorCode = keyof typeof HttpError;

export interface HttpErrorBody {
  error: HttpErrorCode;
  message: string;
}
