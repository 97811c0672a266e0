/**
 * `Ferry.WebSocket`: the WHATWG WebSocket interface over a Ferry session, so code written for the
 * browser's WebSocket runs over any Ferry transport. The page sees one connection: the session's
 * transport switches and the drops it resumes are not events; `close` comes when the session
 * ends. Text travels as Ferry string messages (the server's `message` gets the string), bytes as
 * Ferry binary messages. ES5: no Promise is needed (a Blob is read with FileReader where it exists).
 */
import { isBytes, utf8Length, type JsonValue } from '../protocol/index.js';
import type { ConnectOptions } from './options.js';
import type { ClientSocket } from './public-socket.js';
import { checkClose, checkProtocols, domError, urlOrigin, usvString, webSocketUrl } from './web-socket-checks.js';
import { WebSocketEvents, createEvent, type WebSocketCloseEvent, type WebSocketEvent, type WebSocketMessageEvent } from './web-socket-events.js';

export type { WebSocketCloseEvent, WebSocketEvent, WebSocketEventMap, WebSocketListener, WebSocketListenerOptions, WebSocketMessageEvent } from './web-socket-events.js';

/** What `send` takes: text, or bytes (copied when `send` is called). */
export type WebSocketData = string | ArrayBuffer | ArrayBufferView | Blob;

/** Opens the Ferry session under a WebSocket: the entry's `connect`. */
export type SessionOpener = (url: string, options: ConnectOptions) => ClientSocket;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

/** Close codes of a session lost rather than closed: the close is not clean. */
const SESSION_UNKNOWN = 4001;
const RESUME_WINDOW_EXPIRED = 4010;

type Handler<E> = ((this: FerryWebSocket, event: E) => unknown) | null;

/**
 * The WebSocket interface. Construct it through an entry's `WebSocket` (`ferry/client`, or
 * `Ferry.WebSocket` in the browser bundles), which knows how to open the session.
 */
export abstract class FerryWebSocket extends WebSocketEvents {
  declare static readonly CONNECTING: 0;
  declare static readonly OPEN: 1;
  declare static readonly CLOSING: 2;
  declare static readonly CLOSED: 3;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  private readonly _url: string;
  private _state = CONNECTING;
  private _binary: 'blob' | 'arraybuffer' = typeof Blob !== 'undefined' ? 'blob' : 'arraybuffer';
  private readonly _session: ClientSocket;
  /** `close()`'s code and reason, once called. */
  private _closing: { code: number; reason: string; clean: boolean } | null = null;
  /** Sends waiting for a Blob before them to be read (null while none is). */
  private _queue: Array<string | Uint8Array | Blob> | null = null;
  /** Bytes in `_queue`, and bytes given to `send` once closing (the spec counts them, sends nothing). */
  private _held = 0;
  private _protocol = '';
  /** Fails the connection when the session has not opened in time. */
  private _deadline: ReturnType<typeof setTimeout> | null = null;

  constructor(url: string | URL, protocols?: string | string[]) {
    super();
    if (arguments.length === 0) throw new TypeError('WebSocket: a URL is required');
    this._url = webSocketUrl(String(url));
    const offered = checkProtocols(protocols);
    const session = (this._session = this._open(this._url.replace(/^ws/, 'http'), { reconnect: false, protocols: offered }));
    this._deadline = setTimeout(() => this._failed('the connection could not be established'), this._connectDeadline());
    session.on('open', () => {
      this._clearDeadline();
      if (this._state !== CONNECTING) return;
      this._state = OPEN;
      this._protocol = session.protocol;
      this.dispatchEvent(createEvent('Event', 'open', {}));
    });
    session.on('message', (data) => {
      if (this._state === OPEN) this.dispatchEvent(createEvent('MessageEvent', 'message', { data: this._data(data), origin: urlOrigin(this._url), lastEventId: '' }));
    });
    session.on('close', (reason, info) => this._ended(reason, info.code));
  }

  /** Opens the session (the entry's `connect`). */
  protected abstract _open(url: string, options: ConnectOptions): ClientSocket;

  /** How long the session may take to open before the connection fails, in ms. */
  protected _connectDeadline(): number {
    return 10000;
  }

  get url(): string {
    return this._url;
  }

  /** The subprotocol the server picked ('' before `open`, and when none were offered). */
  get protocol(): string {
    return this._protocol;
  }

  get extensions(): string {
    return '';
  }

  get readyState(): number {
    return this._state;
  }

  /** Bytes given to `send` and not yet acknowledged by the server (plus what waits behind a Blob, and what was given once closing). */
  get bufferedAmount(): number {
    return this._session.bufferedAmount + this._held;
  }

  get binaryType(): 'blob' | 'arraybuffer' {
    return this._binary;
  }

  /** 'blob' or 'arraybuffer'; any other value is ignored. */
  set binaryType(value: 'blob' | 'arraybuffer') {
    if (value === 'arraybuffer' || value === 'blob') this._binary = value;
  }

  get onopen(): Handler<WebSocketEvent> {
    return this._handler<Handler<WebSocketEvent>>('open');
  }
  set onopen(fn: Handler<WebSocketEvent>) {
    this._setHandler('open', fn);
  }
  get onmessage(): Handler<WebSocketMessageEvent> {
    return this._handler<Handler<WebSocketMessageEvent>>('message');
  }
  set onmessage(fn: Handler<WebSocketMessageEvent>) {
    this._setHandler('message', fn);
  }
  get onerror(): Handler<WebSocketEvent> {
    return this._handler<Handler<WebSocketEvent>>('error');
  }
  set onerror(fn: Handler<WebSocketEvent>) {
    this._setHandler('error', fn);
  }
  get onclose(): Handler<WebSocketCloseEvent> {
    return this._handler<Handler<WebSocketCloseEvent>>('close');
  }
  set onclose(fn: Handler<WebSocketCloseEvent>) {
    this._setHandler('close', fn);
  }

  /**
   * Sends text (any other value is sent as its string), or bytes. Throws an InvalidStateError
   * while CONNECTING; once CLOSING or CLOSED it only adds the size to `bufferedAmount`. A Blob is
   * read first; what is sent after it waits for it. Ferry's limits apply as `ClientSocket.send`'s
   * do (a RangeError above the server's `maxMessageSize`, an Error when the buffer is full).
   */
  send(data: WebSocketData): void {
    if (arguments.length === 0) throw new TypeError('WebSocket: send needs an argument');
    if (this._state === CONNECTING) throw domError('InvalidStateError', 'WebSocket: still CONNECTING');
    const item = sendable(data);
    if (this._state !== OPEN) {
      this._held += sizeOf(item);
      return;
    }
    if (this._queue === null && !isBlob(item)) {
      this._session.send(item);
      return;
    }
    this._held += sizeOf(item);
    if (this._queue === null) {
      this._queue = [item];
      this._readHead();
    } else this._queue.push(item);
  }

  /** Starts the closing handshake: `code` 1000 or 3000–4999, `reason` at most 123 bytes of UTF-8. */
  close(code?: number, reason?: string): void {
    const checked = checkClose(code, reason);
    if (this._state === CLOSING || this._state === CLOSED) return;
    // closing before the session opened fails the connection, as the spec says
    const clean = this._state === OPEN;
    this._closing = clean
      ? { code: checked.code === undefined ? 1005 : checked.code, reason: checked.reason || '', clean: true }
      : { code: 1006, reason: '', clean: false };
    this._state = CLOSING;
    this._dropQueue();
    this._session.close();
  }

  // ---- internals

  /** The session ended: `close` (after `error` for a failure) in a task of its own, as the spec says. */
  private _ended(reason: string, code: number | undefined): void {
    if (this._state === CLOSED) return;
    this._clearDeadline();
    this._dropQueue();
    const local = this._closing;
    const lost = code === undefined || code === SESSION_UNKNOWN || code === RESUME_WINDOW_EXPIRED;
    const clean = local ? local.clean : !lost;
    const fields = local ? local : { code: lost ? 1006 : code, reason: reason, clean: clean };
    this._state = CLOSING;
    setTimeout(() => {
      this._state = CLOSED;
      if (!clean) this.dispatchEvent(createEvent('Event', 'error', {}));
      this.dispatchEvent(createEvent('CloseEvent', 'close', { code: fields.code, reason: fields.reason, wasClean: clean }));
    }, 0);
  }

  /** Fails the connection: the session is closed, `error` then a `close` that is not clean. */
  private _failed(reason: string): void {
    if (this._state === CLOSING || this._state === CLOSED) return;
    this._closing = { code: 1006, reason: reason, clean: false };
    this._state = CLOSING;
    this._session.close();
  }

  private _clearDeadline(): void {
    if (this._deadline) clearTimeout(this._deadline);
    this._deadline = null;
  }

  /** What a `message` event carries: text as it came, bytes by `binaryType`, any other JSON value as its JSON text. */
  private _data(data: JsonValue | Uint8Array): string | ArrayBuffer | Blob {
    if (typeof data === 'string') return data;
    if (!isBytes(data)) return JSON.stringify(data);
    const bytes = copyBytes(data as Uint8Array);
    return this._binary === 'blob' && typeof Blob !== 'undefined' ? new Blob([bytes]) : bytes.buffer;
  }

  /** Reads the Blob at the head of the queue, then sends what it can in order. */
  private _readHead(): void {
    const queue = this._queue;
    if (!queue) return;
    const blob = queue[0] as Blob;
    readBlob(blob, (bytes) => {
      if (this._queue !== queue) return; // closed meanwhile: the queue was dropped
      if (!bytes) return this._failed('a Blob could not be read');
      queue[0] = bytes;
      while (queue.length > 0 && !isBlob(queue[0])) {
        const item = queue.shift() as string | Uint8Array;
        this._held -= sizeOf(item);
        this._session.send(item);
      }
      if (queue.length > 0) this._readHead();
      else this._queue = null;
    });
  }

  /** Sends waiting behind a Blob are not sent once closing; their bytes stay counted. */
  private _dropQueue(): void {
    this._queue = null;
  }
}

/** The constructor an entry exports: `new WebSocket(url, protocols?)` and the four state constants. */
export interface FerryWebSocketConstructor {
  new (url: string | URL, protocols?: string | string[]): FerryWebSocket;
  readonly prototype: FerryWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}

/** The WebSocket class of an entry: sessions opened by `open` (the entry's `connect`). */
export function webSocketClass(open: SessionOpener, connectDeadline?: number): FerryWebSocketConstructor {
  class WebSocket extends FerryWebSocket {
    protected _open(url: string, options: ConnectOptions): ClientSocket {
      return open(url, options);
    }
    protected override _connectDeadline(): number {
      return connectDeadline || super._connectDeadline();
    }
  }
  // the legacy build's __extends copies no statics: every class gets its own
  for (let i = 0; i < STATES.length; i++) {
    Object.defineProperty(FerryWebSocket, STATES[i], { value: i, enumerable: true });
    Object.defineProperty(FerryWebSocket.prototype, STATES[i], { value: i, enumerable: true });
    Object.defineProperty(WebSocket, STATES[i], { value: i, enumerable: true });
  }
  return WebSocket as unknown as FerryWebSocketConstructor;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

/** `send`'s argument as what is queued: a string (USV), a copy of the bytes, or the Blob. */
function sendable(data: unknown): string | Uint8Array | Blob {
  if (isBlob(data)) return data;
  if (typeof ArrayBuffer !== 'undefined') {
    if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return copyBytes(new Uint8Array(data as ArrayBuffer));
    if (ArrayBuffer.isView(data)) return copyBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return usvString(data);
}

function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

function sizeOf(item: string | Uint8Array | Blob): number {
  if (typeof item === 'string') return utf8Length(item);
  return isBlob(item) ? item.size : item.byteLength;
}

/** The Blob's bytes, or null when it cannot be read: FileReader where there is one (no Promise), else `arrayBuffer()`. */
function readBlob(blob: Blob, done: (bytes: Uint8Array | null) => void): void {
  if (typeof FileReader !== 'undefined') {
    const reader = new FileReader();
    reader.onload = () => done(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => done(null);
    reader.readAsArrayBuffer(blob);
    return;
  }
  blob.arrayBuffer().then(
    (buffer) => done(new Uint8Array(buffer)),
    () => done(null),
  );
}
