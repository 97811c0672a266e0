import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { RelayedHeaders, ResponseHeaders } from './relay-messages.js';

/**
 * The owner's side of a relayed HTTP request: a minimal IncomingMessage and ServerResponse handed
 * to the normal routes (server/http-routes.ts) as if the client had connected here. Only the
 * members the routes and transports use exist (grep `req.`/`res.` in server/): the request's
 * method, url, headers, body stream, `complete`, `socket.remoteAddress`/`destroyed`; the
 * response's writeHead/setHeader/write/end/destroy, headersSent, writableLength and the events
 * `close` and `drain`.
 */

/** Where a relayed response goes (the edge node, over Redis). */
export interface ResponseSink {
  head(status: number, headers: ResponseHeaders): void;
  data(chunk: string | Uint8Array): void;
  end(): void;
  destroy(): void;
}

/**
 * Bytes sent to the edge and not yet written to the client there, above which `write` returns
 * false and `drain` is waited for (as a socket's buffer would make it): so the session's byte
 * budget bounds what a client that does not read makes this node send.
 */
export const RELAY_HIGH_WATER_MARK = 64 * 1024;

/** The relayed request: its body (read whole by the edge) as a stream, and the client's address as the edge saw it. */
export class RelayedRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: RelayedHeaders;
  /** The whole body came with the request. */
  readonly complete = true;
  readonly socket: { readonly remoteAddress: string | undefined; readonly destroyed: boolean };

  constructor(method: string, url: string, headers: RelayedHeaders, address: string | null, body: string, isGone: () => boolean) {
    super();
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.socket = {
      remoteAddress: address ?? undefined,
      get destroyed() {
        return isGone();
      },
    };
    if (body !== '') this.push(Buffer.from(body, 'utf8'));
    this.push(null);
  }

  override _read(): void {}
}

/** The relayed response: what the routes write goes to the sink; the edge's credits free `writableLength`. */
export class RelayedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  readonly #sink: ResponseSink;
  readonly #request: RelayedRequest;
  readonly #headers: ResponseHeaders = {};
  #unconfirmed = 0;
  #needDrain = false;

  constructor(sink: ResponseSink, request: RelayedRequest) {
    super();
    this.#sink = sink;
    this.#request = request;
  }

  /** Bytes sent to the edge that it has not confirmed written to the client. */
  get writableLength(): number {
    return this.#unconfirmed;
  }

  get writableFinished(): boolean {
    return this.writableEnded && this.#unconfirmed === 0;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.#headers[name.toLowerCase()] = typeof value === 'object' ? [...value] : value;
    return this;
  }

  getHeader(name: string): string | number | string[] | undefined {
    return this.#headers[name.toLowerCase()];
  }

  removeHeader(name: string): void {
    delete this.#headers[name.toLowerCase()];
  }

  writeHead(status: number, reasonOrHeaders?: string | ResponseHeaders, maybeHeaders?: ResponseHeaders): this {
    if (this.headersSent) throw new Error('ferry: headers already sent');
    const headers = typeof reasonOrHeaders === 'object' ? reasonOrHeaders : maybeHeaders;
    if (headers !== undefined) for (const name of Object.keys(headers)) this.setHeader(name, headers[name]);
    this.statusCode = status;
    this.flushHeaders();
    return this;
  }

  flushHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    if (!this.destroyed) this.#sink.head(this.statusCode, this.#headers);
  }

  write(chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void): boolean {
    if (this.writableEnded || this.destroyed) return false;
    this.flushHeaders();
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (bytes > 0) {
      this.#unconfirmed += bytes;
      this.#sink.data(chunk);
    }
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (done) process.nextTick(done);
    if (this.#unconfirmed < RELAY_HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(chunk?: string | Uint8Array | (() => void), callback?: () => void): this {
    if (this.writableEnded || this.destroyed) return this;
    if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk);
    this.flushHeaders();
    this.writableEnded = true;
    this.#sink.end();
    const done = typeof chunk === 'function' ? chunk : callback;
    if (done) this.once('finish', done);
    if (this.#unconfirmed === 0) this.#finished();
    return this;
  }

  /** Ends the exchange at once: the edge destroys the client's response. */
  destroy(): this {
    if (this.destroyed) return this;
    this.#sink.destroy();
    this.#gone();
    return this;
  }

  /** @internal The edge wrote `bytes` more of this response to the client. */
  credit(bytes: number): void {
    if (this.destroyed) return;
    this.#unconfirmed = Math.max(0, this.#unconfirmed - bytes);
    if (this.#needDrain && this.#unconfirmed < RELAY_HIGH_WATER_MARK / 2) {
      this.#needDrain = false;
      this.emit('drain');
    }
    if (this.writableEnded && this.#unconfirmed === 0) this.#finished();
  }

  /** @internal The client's connection is gone (the edge said so, or Redis was lost): `close`, as a socket's would. */
  abort(): void {
    this.#gone();
  }

  #finished(): void {
    if (this.destroyed) return;
    this.emit('finish');
    this.#gone();
  }

  #gone(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.nextTick(() => {
      this.emit('close');
      this.#request.emit('close');
    });
  }
}
