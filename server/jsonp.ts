import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONP_CALLBACK_PATTERN, JSONP_SEND_FIELD, jsonpBody } from '../protocol/index.js';
import { RequestError } from './http-errors.js';
import { NO_STORE_HEADERS } from './transports/http-headers.js';
import type { PollRenderer } from './transports/long-poll.js';

/**
 * The server side of `jsonp-polling`, for pages whose browser has no CORS-capable XHR: polls and
 * the handshake answer with a script (`/**\/cb("…");`), sends arrive as form POSTs whose reply the
 * page cannot read (acks come back on the polls).
 */

export const JSONP_CONTENT_TYPE = 'application/javascript; charset=utf-8';

/** The `cb` parameter: exactly JSONP_CALLBACK_PATTERN, or 400. Never sanitised. */
export function jsonpCallback(params: URLSearchParams): string {
  const callback = params.get('cb');
  if (callback === null || !JSONP_CALLBACK_PATTERN.test(callback)) {
    throw new RequestError('bad_request', 'the cb parameter must be __ferry_jsonp_ followed by 1-12 digits');
  }
  return callback;
}

export function jsonpRenderer(callback: string): PollRenderer {
  return (text) => ({ contentType: JSONP_CONTENT_TYPE, body: jsonpBody(callback, text) });
}

/** A JSONP response outside polling (the handshake). */
export function sendJsonp(res: ServerResponse, headers: Record<string, string>, callback: string, text: string): void {
  const body = jsonpBody(callback, text);
  res.writeHead(200, { ...NO_STORE_HEADERS, ...headers, 'Content-Type': JSONP_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Whether a send is a form POST (the JSONP transport's upstream) rather than a raw packet. */
export function isFormSend(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
}

/** The largest form body that can carry a packet of `packetLimit` bytes (every byte as `%XX`). */
export function formBodyLimit(packetLimit: number): number {
  return 3 * packetLimit + JSONP_SEND_FIELD.length + 1;
}

/**
 * The packet in a form body's `d` field. A form without the field yields '', which the packet
 * decoder then refuses as malformed. Throws `payload_too_large` past `packetLimit` bytes.
 */
export function formPacket(body: string, packetLimit: number): string {
  const packet = new URLSearchParams(body).get(JSONP_SEND_FIELD);
  if (packet !== null && Buffer.byteLength(packet) > packetLimit) {
    throw new RequestError('payload_too_large', `request body exceeds ${packetLimit} bytes`);
  }
  return packet === null ? '' : packet;
}

/** The reply to a form send: a page that loads in the hidden iframe and runs nothing. */
const FORM_REPLY = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>ferry</title></head><body></body></html>';

export function sendFormReply(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    ...NO_STORE_HEADERS,
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'",
    'Content-Length': Buffer.byteLength(FORM_REPLY),
  });
  res.end(FORM_REPLY);
}
