import { browserEnv } from './env/browser.js';
import { crossOriginHelpers } from './env/cross-origin-helpers.js';
import type { ConnectOptions } from './options.js';
import type { ClientSocket } from './public-socket.js';
import type { DefaultEvents } from '../protocol/index.js';
import { ClientSocket as SocketImplementation } from './socket.js';
import { webSocketClass, type FerryWebSocket as WebSocketInstance, type FerryWebSocketConstructor } from './web-socket.js';

export type { ClientSocket } from './public-socket.js';
export type { ClientSocketEvents, CloseInfo, SocketState } from './socket-events.js';
export type { ConnectOptions } from './options.js';
export type { TransportStorage } from './transport-memory.js';
export type { TransportAttempt } from './transport-plan.js';
export type { ClientVolatile } from './backpressure.js';
export type { AppData, JsonValue, TransportName } from '../protocol/index.js';
export type { AckCallback, AckResultCallback, DefaultEvents, EventAnswer, EventArgs, EventHandler, EventNames } from '../protocol/index.js';
export type { AckAnswer, TimedEmitter } from '../protocol/event-api.js';
export type { FerryWebSocketConstructor, WebSocketCloseEvent, WebSocketData, WebSocketEvent, WebSocketEventMap, WebSocketListener, WebSocketListenerOptions, WebSocketMessageEvent } from './web-socket.js';

/**
 * Opens a Ferry socket in the browser. `url` is the server's Ferry path, e.g. `https://host/ferry`.
 * This is the bundlers' entry and the legacy bundle's: the cross-origin helpers are included.
 */
export function connect<ListenEvents = DefaultEvents, EmitEvents = DefaultEvents>(url: string, options?: ConnectOptions): ClientSocket<ListenEvents, EmitEvents> {
  return new SocketImplementation(url, browserEnv(url, crossOriginHelpers), options) as unknown as ClientSocket<ListenEvents, EmitEvents>;
}

/** The WHATWG WebSocket interface over a Ferry session (client/web-socket.ts); also exported as `FerryWebSocket`. */
export const WebSocket: FerryWebSocketConstructor = /* @__PURE__ */ webSocketClass(connect);
export type WebSocket = WebSocketInstance;
export const FerryWebSocket = WebSocket;
export type FerryWebSocket = WebSocketInstance;
