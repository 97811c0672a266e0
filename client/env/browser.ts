import { iframeCallbackName } from '../../protocol/index.js';
import type { TransportStorage } from '../transport-memory.js';
import { openEventSource, openXhrStream } from './browser-streams.js';
import type { CrossOriginHelpers, RelayRoutes } from './cross-origin.js';
import type { Abortable, ClientEnv, HttpCallback, StreamHandlers, WebSocketLike } from './env.js';
import { relayOrigins, xhrHasCors, xhrReaches } from './origins.js';
import { addQuery, parseFerryUrl } from '../transports/urls.js';

/**
 * The browser platform, written for IE11-class engines too: XMLHttpRequest (no fetch), callbacks
 * (no Promise), plain objects (no Map/Set).
 */
declare const window: Window & Record<string, unknown>;

export function request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable {
  const xhr = new XMLHttpRequest();
  let done = false;
  const finish = (error: Error | null, status: number, text: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    xhr.onreadystatechange = null;
    callback(error, error ? null : { status: status, body: text });
  };
  const timer = setTimeout(() => {
    finish(new Error('request timed out'), 0, '');
    try {
      xhr.abort();
    } catch (e) {
      // already finished
    }
  }, timeoutMs);
  xhr.open(method, url, true);
  xhr.onreadystatechange = () => {
    if (xhr.readyState !== 4) return;
    if (xhr.status === 0) finish(new Error('network error'), 0, '');
    else finish(null, xhr.status, xhr.responseText);
  };
  // text/plain keeps cross-origin sends "simple" (no preflight)
  if (body !== null) xhr.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
  xhr.send(body);
  return {
    abort: () => {
      done = true;
      clearTimeout(timer);
      xhr.onreadystatechange = null;
      try {
        xhr.abort();
      } catch (e) {
        // ignore
      }
    },
  };
}

export function openIframeStream(url: string, callbackId: string, handlers: StreamHandlers): Abortable {
  const name = iframeCallbackName(callbackId);
  let ended = false;
  const iframe = document.createElement('iframe');
  const cleanup = () => {
    ended = true;
    window[name] = undefined;
    iframe.onload = null;
    try {
      iframe.src = 'about:blank';
    } catch (e) {
      // ignore
    }
    if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
  };
  window[name] = (packet: string) => {
    if (!ended) handlers.onPacket(packet);
  };
  iframe.style.display = 'none';
  iframe.setAttribute('aria-hidden', 'true');
  // load fires when the response ends (or fails): the stream is over either way
  iframe.onload = () => {
    if (ended) return;
    cleanup();
    handlers.onEnd(null);
  };
  iframe.src = url;
  (document.body || document.documentElement).appendChild(iframe);
  return { abort: cleanup };
}

function createWebSocket(url: string): WebSocketLike {
  const ws = new WebSocket(url) as unknown as WebSocketLike;
  ws.binaryType = 'arraybuffer';
  return ws;
}

/** `localStorage`, where the page may use it (it throws in some privacy modes and sandboxes). */
function localStorageOrNull(): TransportStorage | null {
  try {
    const storage = window.localStorage;
    return storage ? storage : null;
  } catch (e) {
    return null;
  }
}

const queue = typeof queueMicrotask === 'function' ? queueMicrotask : null;

/** One relay per Ferry URL, shared by the sockets of the page. */
const relays: { [base: string]: RelayRoutes | undefined } = {};

/**
 * `baseUrl`: the Ferry URL. When it is on another origin than the page, iframe streams (and
 * requests, where XMLHttpRequest has no CORS) go through one relay iframe on its origin (relay.ts).
 * `crossOrigin`: the relay and JSONP, included or loaded on first use (cross-origin-lazy.ts).
 */
export function browserEnv(baseUrl: string, crossOrigin: CrossOriginHelpers): ClientEnv {
  const where = parseFerryUrl(baseUrl);
  const base = where.baseUrl;
  // one relay per Ferry URL with its query: the relay page's request carries the app's parameters
  const key = addQuery(base, where.query);
  const origins = relayOrigins(base);
  const relay = origins === null ? null : relays[key] || (relays[key] = crossOrigin.relay(base, origins.origin, origins.pageOrigin, where.query));
  return {
    request: relay !== null && !xhrHasCors() ? relay.request : request,
    createWebSocket: typeof WebSocket === 'function' || typeof WebSocket === 'object' ? createWebSocket : null,
    openIframeStream: typeof document === 'undefined' ? null : relay !== null ? relay.openIframeStream : openIframeStream,
    openEventSource: typeof EventSource !== 'undefined' ? openEventSource : null,
    openXhrStream: openXhrStream,
    storage: localStorageOrNull(),
    jsonp: typeof document !== 'undefined' ? crossOrigin.jsonp : null,
    xhrReachesServer: relay !== null || xhrReaches(base),
    defer: queue
      ? (fn: () => void) => {
          queue(fn);
        }
      : (fn: () => void) => {
          setTimeout(fn, 0);
        },
  };
}
