/**
 * JSONP framing for `jsonp-polling`. A response is one statement,
 *
 *     /**\/__ferry_jsonp_17("<packet text as a script-safe JSON string literal>");
 *
 * that a `<script>` element on the page executes. The callback name comes from the request and
 * must match JSONP_CALLBACK_PATTERN exactly (servers reject anything else, never sanitise). The
 * leading empty comment keeps the first bytes of the body fixed whatever the callback is, and the
 * payload is a string literal in which `<`, `>`, `&`, U+2028 and U+2029 are \u escapes
 * (scriptSafeJsonString), so no payload can end the string, the call or the script.
 */
import { scriptSafeJsonString } from './iframe-codec.js';

export const JSONP_CALLBACK_PATTERN = /^__ferry_jsonp_[0-9]{1,12}$/;

/** The name of the form field that carries a packet in a form POST to `/v1/send`. */
export const JSONP_SEND_FIELD = 'd';

export function jsonpCallbackName(id: number): string {
  return '__ferry_jsonp_' + id;
}

/** A JSONP response body passing `text` (a packet, or handshake JSON) to `callback`. */
export function jsonpBody(callback: string, text: string): string {
  return '/**/' + callback + '(' + scriptSafeJsonString(text) + ');';
}

/**
 * The text a JSONP response body passes to `callback`, for clients that cannot execute it (Node).
 * Null when the body is anything but exactly one such call with one string literal.
 */
export function decodeJsonpBody(body: string, callback: string): string | null {
  const head = '/**/' + callback + '("';
  const tail = '");';
  if (body.length < head.length + tail.length) return null;
  if (body.slice(0, head.length) !== head || body.slice(body.length - tail.length) !== tail) return null;
  const literal = body.slice(head.length - 1, body.length - tail.length + 1);
  let value: unknown;
  try {
    value = JSON.parse(literal);
  } catch (e) {
    return null;
  }
  return typeof value === 'string' ? value : null;
}
