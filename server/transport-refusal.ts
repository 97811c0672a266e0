import type { WebSocket } from 'ws';
import { CloseCode, type TransportName } from '../protocol/index.js';
import { RequestError } from './http-errors.js';

/**
 * `403 transport_disabled`, with the transports the server has (`"transports": [...]`), so a
 * client that started on a disabled one can start over on one it allows instead of giving up.
 * The list is no secret: every handshake carries it.
 */
export class TransportDisabled extends RequestError {
  readonly transports: readonly TransportName[];

  constructor(message: string, enabled: readonly TransportName[]) {
    super('transport_disabled', `${message} (it allows: ${enabled.join(', ')})`);
    this.transports = enabled;
  }

  override body(): string {
    return JSON.stringify({ error: this.code, message: this.message, transports: this.transports });
  }
}

/**
 * A direct WebSocket (one that would create a session) on a server without `websocket`: accepted,
 * then closed at once with 4014 and the enabled transports as the reason
 * (`transport disabled; enabled: xhr-streaming,xhr-polling`). A browser never shows a page the
 * status or body of a refused upgrade, only a close code and reason, so this is the one answer a
 * WebSocket-only client can read.
 */
export function closeDisabledWebSocket(ws: WebSocket, enabled: readonly TransportName[]): void {
  ws.close(CloseCode.TRANSPORT_DISABLED, 'transport disabled; enabled: ' + enabled.join(','));
}
