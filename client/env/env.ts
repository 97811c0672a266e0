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

export interface ClientEnv {
  /** Issues an HTTP request; the callback runs exactly once unless aborted. */
  request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable;
  /** Creates a WebSocket, or is null where there is none. */
  createWebSocket: ((url: string) => WebSocketLike) | null;
  /** Opens an iframe stream, or is null where that cannot work. */
  openIframeStream: ((url: string, callbackId: string, handlers: StreamHandlers) => Abortable) | null;
  /** Runs `fn` soon, after the current task (microtask where available). */
  defer(fn: () => void): void;
}
