import type { ClientEnv, JsonpEnv } from './env.js';

/** What a relay carries for the page: its iframe streams, and its requests where XHR has no CORS. */
export type RelayRoutes = Pick<ClientEnv, 'request'> & { openIframeStream: NonNullable<ClientEnv['openIframeStream']> };

/**
 * The browser's cross-origin helpers: JSONP (script tags and form posts) and the page side of the
 * relay iframe. Pages on the Ferry origin with a modern browser never use them, so the modern
 * build serves them as a bundle of their own, loaded on first use (cross-origin-lazy.ts).
 */
export interface CrossOriginHelpers {
  jsonp: JsonpEnv;
  /**
   * A new relay to the Ferry path `base`, on `origin`, for a page on `pageOrigin`; `query`: the
   * app's query parameters from the Ferry URL, which the relay page's request carries too.
   */
  relay(base: string, origin: string, pageOrigin: string, query?: string): RelayRoutes;
}

/** That bundle, under the Ferry path: `{path}/ferry-cross-origin.js`. */
export const CROSS_ORIGIN_BUNDLE = 'ferry-cross-origin.js';
