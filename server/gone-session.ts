import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { CloseCode, type HttpErrorCode } from '../protocol/index.js';

/** The refusals of a WebSocket join (`sid`) that mean the session is gone for good. */
export function sessionGone(code: string): code is Extract<HttpErrorCode, 'unknown_session' | 'node_lost'> {
  return code === 'unknown_session' || code === 'node_lost';
}

/**
 * A WebSocket join for a session that is gone (`unknown_session`, or `node_lost` in a cluster):
 * accepted, then closed at once with 4001 and the reason `session expired` or `node lost`. A page
 * never sees a refused upgrade's status, only a close, so a client on WebSocket alone could not
 * tell a gone session from a cut connection and would retry until its resume window ran out; the
 * close tells it to start a new session now. (The checks on origin, host and rates have run.)
 */
export function closeGoneSession(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, code: 'unknown_session' | 'node_lost'): void {
  wss.handleUpgrade(req, socket, head, (ws) => ws.close(CloseCode.SESSION_UNKNOWN, code === 'node_lost' ? 'node lost' : 'session expired'));
}
