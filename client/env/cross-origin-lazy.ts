import { CROSS_ORIGIN_BUNDLE, type CrossOriginHelpers, type RelayRoutes } from './cross-origin.js';
import type { Abortable, JsonpEnv } from './env.js';
import { addQuery, parseFerryUrl } from '../transports/urls.js';

/**
 * The cross-origin helpers in the modern bundle: stand-ins that load the real ones from
 * `{base}/ferry-cross-origin.js` on first use, by a script tag whose URL is the Ferry URL the app
 * passed to `connect` plus that fixed name (and the build's content hash, so a cached copy of
 * another build is never used). The loaded script hands them over as `window.FerryCrossOrigin`.
 * Until they arrive, calls wait; aborting a waiting call cancels it; when the load fails, every
 * waiting call fails as its own request would, and the next call tries again.
 */

/** `?v=<hash>` of the helpers bundle, set by scripts/build.mjs. */
declare const __FERRY_CROSS_ORIGIN_VERSION__: string;
const VERSION = typeof __FERRY_CROSS_ORIGIN_VERSION__ !== 'undefined' ? __FERRY_CROSS_ORIGIN_VERSION__ : '';

const LOAD_TIMEOUT_MS = 10000;

type Waiter = (helpers: CrossOriginHelpers | null) => void;

const loaded: { [base: string]: CrossOriginHelpers | undefined } = {};
const loading: { [base: string]: Waiter[] | undefined } = {};

function isHelpers(value: unknown): value is CrossOriginHelpers {
  const helpers = value as CrossOriginHelpers | null | undefined;
  return !!helpers && !!helpers.jsonp && typeof helpers.jsonp.load === 'function' && typeof helpers.jsonp.postForm === 'function' && typeof helpers.relay === 'function';
}

/** Calls `waiter` with the helpers once loaded from `base` (at once when they are), or null when that failed. */
function whenLoaded(base: string, waiter: Waiter): void {
  const helpers = loaded[base];
  if (helpers) return waiter(helpers);
  const waiters = loading[base];
  if (waiters) {
    waiters.push(waiter);
    return;
  }
  const queue = (loading[base] = [waiter]);
  const script = document.createElement('script');
  const settle = (result: CrossOriginHelpers | null) => {
    clearTimeout(timer);
    script.onload = script.onerror = null;
    if (script.parentNode) script.parentNode.removeChild(script);
    loading[base] = undefined;
    loaded[base] = result || undefined;
    for (let i = 0; i < queue.length; i++) queue[i](result);
  };
  const timer = setTimeout(() => {
    settle(null);
  }, LOAD_TIMEOUT_MS);
  // load fires right after the script ran: the global is the one it just set
  script.onload = () => {
    const value = (window as unknown as { FerryCrossOrigin?: unknown }).FerryCrossOrigin;
    settle(isHelpers(value) ? value : null);
  };
  script.onerror = () => {
    settle(null);
  };
  script.async = true;
  // the app's query parameters from the Ferry URL go on this request too
  const where = parseFerryUrl(base);
  script.src = addQuery(where.baseUrl + '/' + CROSS_ORIGIN_BUNDLE + VERSION, where.query);
  (document.head || document.documentElement).appendChild(script);
}

/** Runs `start` once the helpers are loaded, or `fail` when they cannot be; abortable meanwhile. */
function afterLoad(base: string, start: (helpers: CrossOriginHelpers) => Abortable, fail: (error: Error) => void): Abortable {
  let inner: Abortable | null = null;
  let aborted = false;
  whenLoaded(base, (helpers) => {
    if (aborted) return;
    if (helpers) inner = start(helpers);
    else fail(new Error('could not load ' + CROSS_ORIGIN_BUNDLE));
  });
  return {
    abort: () => {
      aborted = true;
      if (inner) inner.abort();
    },
  };
}

/** Stand-ins for the helpers of the Ferry URL `base`. */
export function lazyCrossOrigin(base: string): CrossOriginHelpers {
  const jsonp: JsonpEnv = {
    load: (url, callbackName, timeoutMs, onResult) => {
      return afterLoad(base, (h) => h.jsonp.load(url, callbackName, timeoutMs, onResult), (error) => onResult(error, null, null));
    },
    postForm: (url, fields, timeoutMs, onDone) => {
      return afterLoad(base, (h) => h.jsonp.postForm(url, fields, timeoutMs, onDone), (error) => onDone(error, null));
    },
  };
  return {
    jsonp: jsonp,
    relay: (relayBase, origin, pageOrigin, query) => {
      let relay: RelayRoutes | null = null;
      const real = (h: CrossOriginHelpers): RelayRoutes => {
        return relay || (relay = h.relay(relayBase, origin, pageOrigin, query));
      };
      return {
        request: (method, url, body, timeoutMs, callback) => {
          return afterLoad(base, (h) => real(h).request(method, url, body, timeoutMs, callback), (error) => callback(error, null));
        },
        openIframeStream: (url, callbackId, handlers) => {
          return afterLoad(base, (h) => real(h).openIframeStream(url, callbackId, handlers), () => handlers.onEnd(null));
        },
      };
    },
  };
}
