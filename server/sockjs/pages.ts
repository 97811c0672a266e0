import { createHash, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedSockJSOptions } from './options.js';

/** The SockJS answers that are not a session's: the greeting, `/info`, `iframe.html`, preflights. */

const YEAR_SECONDS = 365 * 24 * 60 * 60;

export const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

/** Headers that let a browser keep an answer for a year (`iframe.html`, preflights). */
export function cacheForAYear(): Record<string, string> {
  return { 'Cache-Control': 'public, max-age=' + YEAR_SECONDS, Expires: new Date(Date.now() + YEAR_SECONDS * 1000).toUTCString() };
}

/**
 * The CORS headers SockJS answers with, once Ferry's origin policy has let the request in: the
 * page's origin with credentials, or `*` for a request that names none.
 */
export function sockjsCors(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  // `null` (a sandboxed or file: page) is echoed as SockJS does: the origin policy has let it in
  const headers: Record<string, string> =
    typeof origin === 'string' && origin !== ''
      ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
      : { 'Access-Control-Allow-Origin': '*', Vary: 'Origin' };
  const asked = req.headers['access-control-request-headers'];
  if (typeof asked === 'string' && asked !== '') headers['Access-Control-Allow-Headers'] = asked;
  return headers;
}

export function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function welcome(res: ServerResponse): void {
  text(res, 200, 'Welcome to SockJS!\n');
}

export function info(req: IncomingMessage, res: ServerResponse, options: ResolvedSockJSOptions, extra: Record<string, string>): void {
  const body = JSON.stringify({ websocket: options.websocket, origins: ['*:*'], cookie_needed: options.jsessionid, entropy: randomInt(0, 2 ** 32 - 1) });
  res.writeHead(200, {
    ...sockjsCors(req),
    ...extra,
    'Content-Type': 'application/json; charset=UTF-8',
    'Cache-Control': NO_CACHE,
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** A preflight (OPTIONS) of `/info` or a session route: 204, cached for a year. */
export function preflight(req: IncomingMessage, res: ServerResponse, methods: string, extra: Record<string, string>): void {
  res.writeHead(204, {
    ...sockjsCors(req),
    ...extra,
    ...cacheForAYear(),
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Max-Age': String(YEAR_SECONDS),
  });
  res.end();
}

/** The page the iframe-based transports load (it runs sockjs-client inside): cached, with an ETag. */
export class IframePage {
  readonly #body: string;
  readonly #etag: string;

  constructor(sockjsUrl: string) {
    // the URL is the app's own option, never the request's; still written as an attribute value
    const src = sockjsUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    this.#body =
      '<!DOCTYPE html>\n<html>\n<head>\n  <meta http-equiv="X-UA-Compatible" content="IE=edge" />\n' +
      '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n' +
      '  <script src="' + src + '"></script>\n  <script>\n    document.domain = document.domain;\n    SockJS.bootstrap_iframe();\n  </script>\n' +
      '</head>\n<body>\n  <h2>Don\'t panic!</h2>\n  <p>This is a SockJS hidden iframe. It\'s used for cross domain magic.</p>\n</body>\n</html>';
    this.#etag = '"' + createHash('md5').update(this.#body).digest('hex') + '"';
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers['if-none-match'] === this.#etag) {
      res.writeHead(304, { ETag: this.#etag, ...cacheForAYear() });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=UTF-8',
      'Content-Length': String(Buffer.byteLength(this.#body)),
      ETag: this.#etag,
      ...cacheForAYear(),
    });
    res.end(this.#body);
  }
}
