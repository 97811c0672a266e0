/**
 * The relay's postMessage protocol. A page on another origin than its Ferry server frames
 * `{path}/iframe.html?o=<page origin>` (the relay, same origin as Ferry) and talks to it with
 * `postMessage`. Every message is one JSON string (IE8-era postMessage carries only strings):
 * an object with `"relay": 1` and a `type`. Anything else is not a relay message and is ignored.
 *
 * URLs are relative to the Ferry path (`v1/iframe?sid=…`): the relay resolves them under its own
 * path on its own origin, so no message can point it anywhere else.
 */
import { IFRAME_CALLBACK_PATTERN } from './iframe-codec.js';

/** The relay page, under `{path}/`. */
export const RELAY_PAGE = 'iframe.html';
/** Id of the page's JSON data block holding the parent origin. */
export const RELAY_ORIGIN_ELEMENT = 'ferry-relay-origin';

export type RelayMessage =
  /** relay → page: listening. */
  | { type: 'ready' }
  /** page → relay: open an iframe stream; `id` is also its callback id (`c`). */
  | { type: 'open'; id: string; url: string }
  /** page → relay: stop a stream. */
  | { type: 'abort'; id: string }
  /** relay → page: one packet of stream `id`. */
  | { type: 'packet'; id: string; text: string }
  /** relay → page: stream `id` ended (`status` when known and not 200). */
  | { type: 'end'; id: string; status: number | null }
  /** page → relay: an HTTP request (`timeout` in ms). */
  | { type: 'request'; id: string; method: 'GET' | 'POST'; url: string; body: string | null; timeout: number }
  /** relay → page: the request's outcome; `error` non-null when it failed (then status 0, body ''). */
  | { type: 'response'; id: string; status: number; body: string; error: string | null };

const MAX_TIMEOUT_MS = 600000;
/** `v1/<route>` plus an optional query: no scheme, host, `..`, fragment or backslash can pass. */
const RELATIVE_URL = /^(v[0-9]{1,3}\/[a-z0-9-]{1,32})(?:\?[^#\s\\]*)?$/;

/** The route of a relay URL (`v1/iframe`), or null when the URL is not one the relay may fetch. */
export function relayRoute(url: string): string | null {
  const match = RELATIVE_URL.exec(url);
  return match ? match[1] : null;
}

export function encodeRelayMessage(message: RelayMessage): string {
  const out: { [key: string]: unknown } = { relay: 1 };
  for (const key in message) {
    if (Object.prototype.hasOwnProperty.call(message, key)) out[key] = (message as { [key: string]: unknown })[key];
  }
  return JSON.stringify(out);
}

/** The message in `data`, or null when `data` is not a well-formed relay message. */
export function decodeRelayMessage(data: unknown): RelayMessage | null {
  if (typeof data !== 'string' || data.charAt(0) !== '{') return null;
  let m: { [key: string]: unknown };
  try {
    m = JSON.parse(data);
  } catch (e) {
    return null;
  }
  if (m === null || typeof m !== 'object' || m.relay !== 1) return null;
  const type = m.type;
  if (type === 'ready') return { type: 'ready' };
  const id = m.id;
  if (typeof id !== 'string' || !IFRAME_CALLBACK_PATTERN.test(id)) return null;
  switch (type) {
    case 'open':
      return isUrl(m.url) ? { type: 'open', id: id, url: m.url } : null;
    case 'abort':
      return { type: 'abort', id: id };
    case 'packet':
      return typeof m.text === 'string' ? { type: 'packet', id: id, text: m.text } : null;
    case 'end':
      return m.status === null || isStatus(m.status) ? { type: 'end', id: id, status: m.status } : null;
    case 'request':
      if ((m.method !== 'GET' && m.method !== 'POST') || !isUrl(m.url)) return null;
      if (m.body !== null && typeof m.body !== 'string') return null;
      if (!isInteger(m.timeout, 1, MAX_TIMEOUT_MS)) return null;
      return { type: 'request', id: id, method: m.method, url: m.url, body: m.body, timeout: m.timeout };
    case 'response':
      if (!isStatus(m.status) || typeof m.body !== 'string') return null;
      if (m.error !== null && typeof m.error !== 'string') return null;
      return { type: 'response', id: id, status: m.status, body: m.body, error: m.error };
    default:
      return null;
  }
}

function isUrl(value: unknown): value is string {
  return typeof value === 'string' && relayRoute(value) !== null;
}

function isStatus(value: unknown): value is number {
  return isInteger(value, 0, 999);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && value % 1 === 0 && value >= min && value <= max;
}
