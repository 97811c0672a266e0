import { RELAY_PAGE, decodeRelayMessage, encodeRelayMessage, type RelayMessage } from '../../protocol/index.js';
import type { Abortable, HttpCallback, StreamHandlers } from './env.js';
import { addQuery } from '../transports/urls.js';

/**
 * The page side of the cross-origin relay (client/relay/ is the other side). A page whose Ferry
 * server is on another origin frames `{base}/iframe.html?o=<page origin>` once, and runs its
 * iframe streams (and, where XMLHttpRequest has no CORS, its requests) inside it, same-origin.
 * Written for IE8-class engines: callbacks, plain objects, string messages. Part of the
 * cross-origin helpers (cross-origin-helpers.ts), a bundle of its own in the modern build.
 */

/** Set to true by the legacy build (scripts/build.mjs): the relay page then loads the ES5 relay. */
declare const __FERRY_LEGACY__: boolean;
const LEGACY_BUNDLE = typeof __FERRY_LEGACY__ !== 'undefined' && __FERRY_LEGACY__;

const READY_TIMEOUT_MS = 10000;
/** The relay document loaded but has not said `ready` this long after: it was refused. */
const AFTER_LOAD_MS = 1000;
/** A request the relay never answers (it was removed) fails this long after its own timeout. */
const REQUEST_GRACE_MS = 5000;

interface MessageEventLike {
  origin: string;
  source: unknown;
  data: unknown;
}

interface PendingRequest {
  callback: HttpCallback;
  timer: ReturnType<typeof setTimeout>;
}

/** One relay iframe for one Ferry base URL, created on first use and again after a failure. */
export class RelayChannel {
  private readonly _base: string;
  /** The app's query parameters from the Ferry URL: the relay page's request carries them too. */
  private readonly _query: string;
  private readonly _origin: string;
  private readonly _pageOrigin: string;
  private _iframe: HTMLIFrameElement | null = null;
  private _ready = false;
  private _queue: string[] = [];
  private _streams: { [id: string]: StreamHandlers } = {};
  private _requests: { [id: string]: PendingRequest } = {};
  private _nextId = 1;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private readonly _onMessage: (event: MessageEventLike) => void;
  /** `ClientEnv.openIframeStream` through the relay (a bound function). */
  readonly openIframeStream: (url: string, callbackId: string, handlers: StreamHandlers) => Abortable;
  /** `ClientEnv.request` through the relay (a bound function). */
  readonly request: (method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback) => Abortable;

  /** `base`: the Ferry path; `query`: the app's query parameters from the Ferry URL ('' for none). */
  constructor(base: string, origin: string, pageOrigin: string, query?: string) {
    this._base = base;
    this._query = query || '';
    this._origin = origin;
    this._pageOrigin = pageOrigin;
    this._onMessage = (event: MessageEventLike) => {
      this.receive(event || (window.event as unknown as MessageEventLike));
    };
    this.openIframeStream = (url, _callbackId, handlers) => {
      return this._openStream(url, handlers);
    };
    this.request = (method, url, body, timeoutMs, callback) => {
      return this._request(method, url, body, timeoutMs, callback);
    };
  }

  private _openStream(url: string, handlers: StreamHandlers): Abortable {
    const id = this._id();
    const relative = this._relative(url);
    if (relative === null) {
      setTimeout(() => {
        handlers.onEnd(null);
      }, 0);
      return { abort: () => {} };
    }
    this._streams[id] = handlers;
    this._post({ type: 'open', id: id, url: relative });
    return {
      abort: () => {
        if (!has(this._streams, id)) return;
        delete this._streams[id];
        this._post({ type: 'abort', id: id });
      },
    };
  }

  private _request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable {
    const id = this._id();
    const relative = this._relative(url);
    const timer = setTimeout(() => {
      this._answer(id, new Error('the Ferry relay did not answer'), null);
    }, relative === null ? 0 : timeoutMs + REQUEST_GRACE_MS);
    this._requests[id] = { callback: callback, timer: timer };
    if (relative !== null) this._post({ type: 'request', id: id, method: method, url: relative, body: body, timeout: timeoutMs });
    return {
      abort: () => {
        if (!has(this._requests, id)) return;
        clearTimeout(this._requests[id].timer);
        delete this._requests[id];
        this._post({ type: 'abort', id: id });
      },
    };
  }

  /** A `message` event on the page: only the relay iframe, from the Ferry origin, is heard. */
  receive(event: MessageEventLike): void {
    if (!event || event.origin !== this._origin || this._iframe === null || event.source !== this._iframe.contentWindow) return;
    const message = decodeRelayMessage(event.data);
    if (message === null) return;
    if (message.type === 'ready') return this._onReady();
    if (message.type === 'packet' && has(this._streams, message.id)) this._streams[message.id].onPacket(message.text);
    else if (message.type === 'end' && has(this._streams, message.id)) {
      const handlers = this._streams[message.id];
      delete this._streams[message.id];
      handlers.onEnd(message.status);
    } else if (message.type === 'response') {
      this._answer(message.id, message.error === null ? null : new Error(message.error), { status: message.status, body: message.body });
    }
  }

  private _id(): string {
    return String(this._nextId++);
  }

  /** The URL relative to the Ferry base, as the relay takes it, or null when it is not under it. */
  private _relative(url: string): string | null {
    const prefix = this._base + '/';
    return url.slice(0, prefix.length) === prefix ? url.slice(prefix.length) : null;
  }

  private _post(message: RelayMessage): void {
    const text = encodeRelayMessage(message);
    if (this._ready && this._iframe !== null && this._iframe.contentWindow) this._iframe.contentWindow.postMessage(text, this._origin);
    else {
      this._queue.push(text);
      if (this._iframe === null) this._create();
    }
  }

  private _answer(id: string, error: Error | null, result: { status: number; body: string } | null): void {
    if (!has(this._requests, id)) return;
    const pending = this._requests[id];
    delete this._requests[id];
    clearTimeout(pending.timer);
    pending.callback(error, error ? null : result);
  }

  private _create(): void {
    const iframe = document.createElement('iframe');
    this._iframe = iframe;
    listen(this._onMessage, true);
    iframe.style.display = 'none';
    iframe.setAttribute('aria-hidden', 'true');
    iframe.onload = () => {
      if (!this._ready && this._iframe === iframe) this._arm(AFTER_LOAD_MS, 'the Ferry relay page was refused');
    };
    iframe.src = addQuery(this._base + '/' + RELAY_PAGE + '?o=' + encodeURIComponent(this._pageOrigin) + (LEGACY_BUNDLE ? '&legacy=1' : ''), this._query);
    (document.body || document.documentElement).appendChild(iframe);
    this._arm(READY_TIMEOUT_MS, 'the Ferry relay did not load');
  }

  private _arm(ms: number, reason: string): void {
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      this._fail(reason);
    }, ms);
  }

  private _onReady(): void {
    if (this._ready || this._iframe === null || !this._iframe.contentWindow) return;
    this._ready = true;
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = null;
    const queue = this._queue;
    this._queue = [];
    for (let i = 0; i < queue.length; i++) this._iframe.contentWindow.postMessage(queue[i], this._origin);
  }

  /** The relay never became ready: everything waiting on it fails, and the next use starts over. */
  private _fail(reason: string): void {
    const iframe = this._iframe;
    const streams = this._streams;
    const requests = this._requests;
    this._iframe = null;
    this._timer = null;
    this._queue = [];
    this._streams = {};
    this._requests = {};
    listen(this._onMessage, false);
    if (iframe !== null) {
      iframe.onload = null;
      if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
    }
    for (const id in streams) if (has(streams, id)) streams[id].onEnd(null);
    for (const id in requests) {
      if (!has(requests, id)) continue;
      clearTimeout(requests[id].timer);
      requests[id].callback(new Error(reason), null);
    }
  }
}

function has(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

type Listener = (event: MessageEventLike) => void;

function listen(fn: Listener, on: boolean): void {
  const w = window as unknown as {
    addEventListener?: (type: string, fn: Listener, capture: boolean) => void;
    removeEventListener: (type: string, fn: Listener, capture: boolean) => void;
    attachEvent: (type: string, fn: Listener) => void;
    detachEvent: (type: string, fn: Listener) => void;
  };
  if (w.addEventListener) {
    if (on) w.addEventListener('message', fn, false);
    else w.removeEventListener('message', fn, false);
  } else if (on) w.attachEvent('onmessage', fn);
  else w.detachEvent('onmessage', fn);
}
