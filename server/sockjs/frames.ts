import { isEventOrAnswerItem } from '../../protocol/index.js';

/**
 * SockJS protocol 0.3.3 frames (the server's side): `o` open, `h` heartbeat, `a[…]` messages,
 * `c[code,"reason"]` close; and what a client sends, a JSON array of strings (or, over a
 * WebSocket, one JSON string).
 */

export const OPEN_FRAME = 'o';
export const HEARTBEAT_FRAME = 'h';

/**
 * Characters some browsers mangle inside a response (invalid surrogates, zero-width and bidi
 * controls, noncharacters) or that end a frame (C0 controls): written as `\uXXXX` escapes, as the
 * protocol's JSON-encoding section asks.
 */
const ESCAPABLE = /[\x00-\x1f\ud800-\udfff\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/g;

function unicodeEscape(c: string): string {
  return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
}

/** A JSON string literal that is already JSON (`"…"`), with the escapable characters escaped. */
function escapeJson(json: string): string {
  ESCAPABLE.lastIndex = 0;
  return ESCAPABLE.test(json) ? json.replace(ESCAPABLE, unicodeEscape) : json;
}

/** `a[…]`: messages (each already a JSON string literal) in one frame. */
export function messagesFrame(jsonStrings: readonly string[]): string {
  return 'a[' + jsonStrings.map(escapeJson).join(',') + ']';
}

/** `c[code,"reason"]`. */
export function closeFrame(code: number, reason: string): string {
  return 'c' + escapeJson(JSON.stringify([code, reason]));
}

/**
 * What a SockJS client receives for a Ferry message item (protocol/app-items.ts): a string as
 * itself, any other JSON value as its JSON text (SockJS carries strings only); null for bytes,
 * named events and answers, which SockJS cannot carry.
 */
export function sockjsText(item: string | Uint8Array | null): string | null {
  if (typeof item !== 'string' || isEventOrAnswerItem(item)) return null;
  return item.charAt(0) === '"' ? item : JSON.stringify(item);
}

/** What an acknowledged emit to a SockJS socket fails with: its page cannot answer. */
export const CANNOT_ANSWER = 'a SockJS client cannot answer events';

/** Why a client's payload was refused (the 500 body sockjs-client and the protocol expect). */
export class PayloadError extends Error {}

/**
 * The messages in a client's payload: a JSON array of strings (`xhr_send`, `jsonp_send`, a
 * WebSocket frame starting with `[`), or, over a WebSocket, one JSON string. Non-string elements
 * are taken as their JSON text.
 */
export function parsePayload(text: string, single = false): string[] {
  if (text === '') throw new PayloadError('Payload expected.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PayloadError('Broken JSON encoding.');
  }
  if (single && typeof parsed === 'string') return [parsed];
  if (!Array.isArray(parsed)) throw new PayloadError('Payload expected.');
  return parsed.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
}
