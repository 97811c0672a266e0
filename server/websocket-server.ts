import { WebSocketServer, type ServerOptions } from 'ws';

/**
 * How long a WebSocket the server closes may take to answer the closing handshake, in ms, before
 * its connection is cut. `ws` waits 30 s by default, so a client that never answers (to a refused
 * join, a shutdown, a session's end) would hold a connection that long each time. The close frame
 * has gone out by then: cutting loses nothing.
 */
export const CLOSE_TIMEOUT_MS = 2_000;

/** The `ws` server of the upgrades Ferry accepts, local and relayed: no compression, no client list. */
export function acceptingServer(maxPayload: number): WebSocketServer {
  // `closeTimeout` (ws 8.23) is not in @types/ws yet
  const options: ServerOptions & { closeTimeout: number } = { noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, closeTimeout: CLOSE_TIMEOUT_MS };
  return new WebSocketServer(options);
}
