import type { IncomingMessage } from 'node:http';
import { RequestError } from './http-errors.js';

/** 16 random bytes in base64 (RFC 6455 section 4.1): 22 base64 characters and `==`. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 9110 section 5.6.2): what a subprotocol name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks the headers of a WebSocket upgrade before `ws` sees it, so a malformed one gets Ferry's
 * JSON error rather than `ws`'s HTML page: GET, `Upgrade: websocket`, a well-formed
 * `Sec-WebSocket-Key`, version 13 (else 426, RFC 6455 section 4.4), and a `Sec-WebSocket-Protocol`
 * list of distinct tokens. Returns the refusal, or null when the request is well formed.
 */
export function upgradeRequestError(req: IncomingMessage): RequestError | null {
  if (req.method !== 'GET') return new RequestError('method_not_allowed', 'a WebSocket upgrade uses GET');
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return new RequestError('bad_request', 'the Upgrade header must be websocket');
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return new RequestError('bad_request', 'Sec-WebSocket-Key must be 16 bytes in base64');
  if (req.headers['sec-websocket-version'] !== '13') return new RequestError('unsupported_websocket_version', 'this server speaks WebSocket version 13');
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined && !isProtocolList(protocols)) {
    return new RequestError('bad_request', 'Sec-WebSocket-Protocol must be a list of distinct tokens');
  }
  return null;
}

/** `token *( OWS "," OWS token )`, no empty entry, no name twice. */
function isProtocolList(header: string): boolean {
  const seen = new Set<string>();
  for (const entry of header.split(',')) {
    const name = entry.replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || seen.has(name)) return false;
    seen.add(name);
  }
  return true;
}
