import { browserEnv } from './env/browser.js';
import { crossOriginHelpers } from './env/cross-origin-helpers.js';
import type { ConnectOptions } from './options.js';
import { ClientSocket } from './socket.js';

export { ClientSocket, type ClientSocketEvents, type SocketState } from './socket.js';
export type { ConnectOptions } from './options.js';
export type { TransportStorage } from './transport-memory.js';
export type { TransportAttempt } from './transport-plan.js';
export type { AppData, JsonValue, TransportName } from '../protocol/index.js';

/**
 * Opens a Ferry socket in the browser. `url` is the server's Ferry path, e.g. `https://host/ferry`.
 * This is the bundlers' entry and the legacy bundle's: the cross-origin helpers are included.
 */
export function connect(url: string, options?: ConnectOptions): ClientSocket {
  return new ClientSocket(url, browserEnv(url, crossOriginHelpers), options);
}
