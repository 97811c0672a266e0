import type { IncomingMessage } from 'node:http';
import type { HandshakeInfo } from './socket.js';

/** Headers that describe only the handshake request itself: nothing an app needs afterwards. */
const REQUEST_ONLY = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'content-length', 'content-type', 'transfer-encoding']);

/**
 * What a session keeps of the request that created it: its headers (cookies, auth, user agent…)
 * without the handshake-only ones, and the remote address. A copy, so the request and the header
 * strings nobody will read can be collected.
 */
export function handshakeInfo(req: IncomingMessage): HandshakeInfo {
  const headers: HandshakeInfo['headers'] = {};
  for (const name of Object.keys(req.headers)) {
    if (!REQUEST_ONLY.has(name)) headers[name] = req.headers[name];
  }
  return { headers, address: req.socket.remoteAddress };
}
