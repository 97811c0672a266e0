import { PROTOCOL_VERSION } from '../protocol/index.js';
import { browserEnv } from './env/browser.js';
import { lazyCrossOrigin } from './env/cross-origin-lazy.js';
import type { ConnectOptions } from './options.js';
import type { ClientSocket } from './public-socket.js';
import { ClientSocket as SocketImplementation } from './socket.js';
import { webSocketClass } from './web-socket.js';

function connect(url: string, options?: ConnectOptions): ClientSocket {
  return new SocketImplementation(url, browserEnv(url, lazyCrossOrigin(url.replace(/\/+$/, ''))), options) as unknown as ClientSocket;
}

/**
 * The `<script src="/ferry/ferry.js">` entry (modern build): defines `window.Ferry`. The
 * cross-origin helpers (JSONP, the relay) load from `{url}/ferry-cross-origin.js` when first used.
 */
(window as unknown as { Ferry: unknown }).Ferry = {
  connect: connect,
  WebSocket: webSocketClass(connect),
  protocol: PROTOCOL_VERSION,
};
