/**
 * The EventTarget half of Ferry's WebSocket (client/web-socket.ts): `addEventListener` /
 * `removeEventListener` / `dispatchEvent`, the `on…` handler properties, and the events
 * themselves: the browser's Event, MessageEvent and CloseEvent where it can build them, plain
 * objects of the same shape where it cannot (IE11). ES5, no Map.
 */

/** What every event of a WebSocket has. */
export interface WebSocketEvent {
  readonly type: string;
  readonly target: unknown;
  readonly currentTarget: unknown;
  readonly timeStamp: number;
  readonly defaultPrevented: boolean;
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation(): void;
}

/** A `message` event: `data` is the text, or the bytes as an ArrayBuffer or a Blob (by `binaryType`). */
export interface WebSocketMessageEvent extends WebSocketEvent {
  readonly data: string | ArrayBuffer | Blob;
  readonly origin: string;
  readonly lastEventId: string;
}

/** A `close` event. */
export interface WebSocketCloseEvent extends WebSocketEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** The events a WebSocket fires, by type: what `addEventListener(type, …)` listeners get. */
export interface WebSocketEventMap {
  open: WebSocketEvent;
  error: WebSocketEvent;
  message: WebSocketMessageEvent;
  close: WebSocketCloseEvent;
}

export type WebSocketListener<E> = ((event: E) => unknown) | { handleEvent(event: E): unknown };

export interface WebSocketListenerOptions {
  capture?: boolean;
  once?: boolean;
  signal?: AbortSignal;
}

interface Entry {
  type: string;
  callback: WebSocketListener<WebSocketEvent>;
  capture: boolean;
  once: boolean;
  /** An `on…` property's entry: replaced in place when the property is set again. */
  handler: boolean;
  removed: boolean;
}

/** The EventTarget a WebSocket is, over a list of listeners (replaced, never changed in place, so a dispatch runs the list it started with). */
export class WebSocketEvents {
  private _entries: Entry[] = [];

  addEventListener<K extends keyof WebSocketEventMap>(type: K, callback: WebSocketListener<WebSocketEventMap[K]> | null, options?: boolean | WebSocketListenerOptions): void;
  addEventListener(type: string, callback: WebSocketListener<WebSocketEvent> | null, options?: boolean | WebSocketListenerOptions): void;
  addEventListener(type: string, callback: WebSocketListener<never> | null, options?: boolean | WebSocketListenerOptions): void {
    if (!callback) return;
    const o = listenerOptions(options);
    const signal = o.signal;
    if (signal && signal.aborted) return;
    if (this._find(String(type), callback, o.capture, false) >= 0) return;
    const entry: Entry = { type: String(type), callback: callback as WebSocketListener<WebSocketEvent>, capture: o.capture, once: o.once, handler: false, removed: false };
    this._entries = this._entries.concat(entry);
    if (signal) signal.addEventListener('abort', () => this._remove(entry));
  }

  removeEventListener<K extends keyof WebSocketEventMap>(type: K, callback: WebSocketListener<WebSocketEventMap[K]> | null, options?: boolean | WebSocketListenerOptions): void;
  removeEventListener(type: string, callback: WebSocketListener<WebSocketEvent> | null, options?: boolean | WebSocketListenerOptions): void;
  removeEventListener(type: string, callback: WebSocketListener<never> | null, options?: boolean | WebSocketListenerOptions): void {
    const i = callback ? this._find(String(type), callback, listenerOptions(options).capture, false) : -1;
    if (i >= 0) this._remove(this._entries[i]);
  }

  /** Runs the listeners of `event.type` in order; false when one of them called `preventDefault`. */
  dispatchEvent(event: WebSocketEvent): boolean {
    const e = event as WebSocketEvent & { stopImmediatePropagation(): void };
    let stopped = false;
    const stop = e.stopImmediatePropagation;
    own(e, 'stopImmediatePropagation', function (this: WebSocketEvent) {
      stopped = true;
      stop.call(this);
    });
    own(e, 'target', this);
    own(e, 'currentTarget', this);
    const list = this._entries;
    for (let i = 0; i < list.length && !stopped; i++) {
      const entry = list[i];
      if (entry.removed || entry.type !== e.type) continue;
      if (entry.once) this._remove(entry);
      const cb = entry.callback;
      try {
        if (typeof cb === 'function') cb.call(this, e);
        else if (typeof cb.handleEvent === 'function') cb.handleEvent(e);
        else throw new TypeError('the listener has no handleEvent method');
      } catch (error) {
        // an exception in the page's listener is reported as uncaught, and the next listener still runs
        setTimeout(function () {
          throw error;
        }, 0);
      }
    }
    return !e.defaultPrevented;
  }

  /** The function of the `on{type}` property, or null. */
  protected _handler<F>(type: string): F | null {
    const i = this._find(type, null, false, true);
    return i >= 0 ? (this._entries[i].callback as unknown as F) : null;
  }

  /** Sets the `on{type}` property: it keeps the place where it was first set until set to null. */
  protected _setHandler(type: string, fn: unknown): void {
    const i = this._find(type, null, false, true);
    if (typeof fn !== 'function') {
      if (i >= 0) this._remove(this._entries[i]);
      return;
    }
    const callback = fn as WebSocketListener<WebSocketEvent>;
    if (i >= 0) this._entries[i].callback = callback;
    else this._entries = this._entries.concat({ type: type, callback: callback, capture: false, once: false, handler: true, removed: false });
  }

  private _find(type: string, callback: unknown, capture: boolean, handler: boolean): number {
    const list = this._entries;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.type === type && e.handler === handler && (handler || (e.callback === callback && e.capture === capture))) return i;
    }
    return -1;
  }

  private _remove(entry: Entry): void {
    entry.removed = true;
    const kept: Entry[] = [];
    for (let i = 0; i < this._entries.length; i++) if (this._entries[i] !== entry) kept.push(this._entries[i]);
    this._entries = kept;
  }
}

function listenerOptions(options: boolean | WebSocketListenerOptions | undefined): { capture: boolean; once: boolean; signal: AbortSignal | undefined } {
  if (options !== null && typeof options === 'object') return { capture: !!options.capture, once: !!options.once, signal: options.signal };
  return { capture: !!options, once: false, signal: undefined };
}

/** Sets a read-only own property (an Event's `target` is a getter on its prototype: this shadows it). */
function own(object: object, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value: value, enumerable: true, configurable: true });
}

type EventKind = 'Event' | 'MessageEvent' | 'CloseEvent';

/**
 * A new, not yet dispatched event of `type`: built by the browser's constructor `kind` when it
 * has one, else by `Event` with `fields` set on it, else a plain object of the same shape.
 */
export function createEvent(kind: EventKind, type: string, fields: { [name: string]: unknown }): WebSocketEvent {
  const g = (typeof window !== 'undefined' ? window : globalThis) as unknown as { [name: string]: unknown };
  const names: EventKind[] = [kind, 'Event'];
  for (let i = 0; i < names.length; i++) {
    const Ctor = g[names[i]];
    if (typeof Ctor !== 'function') continue;
    try {
      const event = new (Ctor as new (type: string, init: object) => WebSocketEvent)(type, fields);
      for (const name in fields) if (!(name in event)) own(event, name, fields[name]);
      return event;
    } catch (e) {
      // IE11: the constructors exist but cannot be called
    }
  }
  const plain = {
    type: type,
    target: null,
    currentTarget: null,
    timeStamp: new Date().getTime(),
    bubbles: false,
    cancelable: false,
    // none of a WebSocket's events is cancelable
    defaultPrevented: false,
    preventDefault: function () {},
    stopPropagation: function () {},
    stopImmediatePropagation: function () {},
  };
  for (const name in fields) own(plain, name, fields[name]);
  return plain;
}
