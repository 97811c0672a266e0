import type { IncomingMessage } from 'node:http';
import { appQuery } from './app-query.js';
import type { HandshakeInfo } from './socket.js';

/** Headers that describe only the handshake request itself: nothing an app needs afterwards. */
const REQUEST_ONLY = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'content-length', 'content-type', 'transfer-encoding']);

/**
 * Headers whose values repeat across clients (one host, a few hundred user agents): sessions
 * share one copy of each value instead of keeping their own. Never a header that can carry a
 * secret or something per user (cookie, authorization, referer…): those stay per session.
 */
const SHAREABLE = new Set([
  'host',
  'origin',
  'user-agent',
  'accept',
  'accept-language',
  'accept-encoding',
  'cache-control',
  'pragma',
  'dnt',
  'upgrade-insecure-requests',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
]);

/** Bounds of the shared values: a value is shared only up to this length, and at most this many are kept. */
const SHARED_VALUE_MAX_LENGTH = 512;
const SHARED_VALUES_MAX = 2048;

/**
 * Shared header values. When full it starts over (values already handed out stay valid; they are
 * just no longer shared with later sessions), so it never holds more than about 1 MB.
 */
const sharedValues = new Map<string, string>();

function shared(value: string): string {
  if (value.length > SHARED_VALUE_MAX_LENGTH) return value;
  const known = sharedValues.get(value);
  if (known !== undefined) return known;
  if (sharedValues.size >= SHARED_VALUES_MAX) sharedValues.clear();
  sharedValues.set(value, value);
  return value;
}

/**
 * What a session keeps of the request that created it: its headers (cookies, auth, user agent…)
 * without the handshake-only ones, and the client's address (the socket's peer, or who the trusted
 * proxies say the client is: server/policies/client-address.ts). A copy, so the request and the header
 * strings nobody will read can be collected; values that repeat across clients are shared.
 */
export function handshakeInfo(req: IncomingMessage, address: string | undefined = req.socket.remoteAddress): HandshakeInfo {
  const headers: HandshakeInfo['headers'] = {};
  for (const name of Object.keys(req.headers)) {
    if (REQUEST_ONLY.has(name)) continue;
    const value = req.headers[name];
    headers[name] = typeof value === 'string' && SHAREABLE.has(name) ? shared(value) : value;
  }
  return { headers, address, query: appQuery(req.url) };
}
