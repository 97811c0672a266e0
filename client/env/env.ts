import type { TransportStorage } from '../transport-memory.js';

/**
 * Everything the client needs from its platform. The browser and Node each provide one; the
 * session and transports are the same code on both.
 */
export interface Abortable {
  abort(): void;
}

export interface HttpResult {
  status: number;
  body: string;
}

export type HttpCallback = (error: Error | null, result: HttpResult | null) => void;

/** The subset of the WebSocket API the client uses (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  /** Bytes queued by `send` and not yet handed to the network (absent in some environments). */
  readonly bufferedAmount?: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface StreamHandlers {
  /** One packet's text. The first (an empty packet) proves the stream is flowing. */
  onPacket(text: string): void;
  /** The response ended; `status` when known and not 200. */
  onEnd(status: number | null): void;
}

/** `text` is what the script passed to its callback; `status` only where the platform can see it (Node). */
export type JsonpCallback = (error: Error | null, text: string | null, status: number | null) => void;

/** Script-tag requests and form posts: HTTP that needs neither XHR nor CORS (`jsonp-polling`). */
export interface JsonpEnv {
  /** Loads `url` as a script that calls `callbackName` with one string; `onResult` runs once unless aborted. */
  load(url: string, callbackName: string, timeoutMs: number, onResult: JsonpCallback): Abortable;
  /** POSTs `fields` as an urlencoded form; the reply cannot be read, only its arrival. */
  postForm(url: string, fields: { [name: string]: string }, timeoutMs: number, onDone: (error: Error | null, status: number | null) => void): Abortable;
}

export interface ClientEnv {
  /** Issues an HTTP request; the callback runs exactly once unless aborted. */
  request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable;
  /** Creates a WebSocket, or is null where there is none. */
  createWebSocket: ((url: string) => WebSocketLike) | null;
  /** Opens an iframe stream, or is null where that cannot work. */
  openIframeStream: ((url: string, callbackId: string, handlers: StreamHandlers) => Abortable) | null;
  /** Opens a Server-Sent Events stream (each event's data is a packet), or is null where there is none. */
  openEventSource: ((url: string, handlers: StreamHandlers) => Abortable) | null;
  /** Opens a GET read as it arrives, one packet per line (XHR streaming), or is null where that cannot work. */
  openXhrStream: ((url: string, handlers: StreamHandlers) => Abortable) | null;
  /** Script-tag loads and form posts, or null where there is no DOM to make them. */
  jsonp: JsonpEnv | null;
  /**
   * Whether `request` can read the Ferry server's responses (same origin, an XHR with CORS, or a
   * relay). When false, the transports that need it are unsupported and `jsonp-polling` remains.
   */
  xhrReachesServer: boolean;
  /** Where remembered transport failures are kept, or null. */
  storage: TransportStorage | null;
  /** Runs `fn` soon, after the current task (microtask where available). */
  defer(fn: () => void): void;
  /** Where the socket's debug lines go when the `log` option names nowhere: Node's `DEBUG=ferry:client`; none in browsers. */
  log?: ((line: string) => void) | null;
}
