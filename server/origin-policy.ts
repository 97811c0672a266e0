import { NO_HEADERS } from './transports/http-headers.js';
import type { IncomingMessage } from 'node:http';
import type { OriginPolicy } from './options.js';

/**
 * Decides whether a request comes from an allowed page. Browsers send `Origin` on WebSocket
 * upgrades, POSTs and cross-origin requests. A same-origin GET (a poll, an iframe) may carry none;
 * then `Sec-Fetch-Site` (when present) must say `same-origin`, or the Referer's origin must be
 * allowed. Requests with none of these headers come from non-browser clients, which an Origin
 * check cannot constrain, and are allowed.
 *
 * `scriptReadable`: the response is a script (JSONP) that any page can run and so read. Then a
 * Referer is checked even without `Sec-Fetch-Site` (older browsers send none), so a foreign page
 * cannot create a session and read its token; only a request with no Origin, no Sec-Fetch-Site
 * and no Referer at all counts as a non-browser client.
 */
export function requestOrigin(req: IncomingMessage, scriptReadable = false): string | null {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return null;
  const referer = req.headers.referer;
  if (site === undefined && !(scriptReadable && typeof referer === 'string')) return null;
  if (typeof referer === 'string') {
    try {
      return new URL(referer).origin;
    } catch {
      return 'null';
    }
  }
  return 'null';
}

export function isOriginAllowed(policy: OriginPolicy, origin: string | null, req: IncomingMessage): boolean {
  if (origin === null) return true;
  if (policy === '*') return true;
  if (typeof policy === 'function') return policy(origin);
  if (policy === 'same-origin') return sameOrigin(origin, req);
  return policy.includes(origin) || sameOrigin(origin, req);
}

function sameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The CORS headers of a request without an Origin (same-origin, or not a browser): none. */
export const NO_CORS = NO_HEADERS;

/**
 * The CORS response headers for each allowed origin, built once and shared: a held poll or an open
 * stream keeps its headers for its whole life, so 5,000 sessions from one origin share one object.
 * At most `limit` origins are cached; past that the cache starts over.
 */
export class CorsHeaders {
  readonly #byOrigin = new Map<string, Readonly<Record<string, string>>>();
  readonly #credentials: boolean;
  readonly #limit: number;

  constructor(credentials: boolean, limit = 256) {
    this.#credentials = credentials;
    this.#limit = limit;
  }

  get(origin: string): Readonly<Record<string, string>> {
    let headers = this.#byOrigin.get(origin);
    if (headers === undefined) {
      const built: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
      if (this.#credentials) built['Access-Control-Allow-Credentials'] = 'true';
      headers = Object.freeze(built);
      if (this.#byOrigin.size >= this.#limit) this.#byOrigin.clear();
      this.#byOrigin.set(origin, headers);
    }
    return headers;
  }
}
