import { NO_HEADERS } from '../transports/http-headers.js';

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
