// Connections for the SockJS conformance tests: plain HTTP requests, streaming responses read as
// they arrive, raw HTTP/1.x connections and a small WebSocket client.
import http from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { WebSocket } from 'ws';
import type { Closable } from '../../support/harness.js';
import { RawConnection } from '../../support/raw-http.js';

/** How long a test waits for any one thing the server should send (the Python helpers wait 1 s). */
export const WAIT_MS = 3000;

// Plain requests
// --------------

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * `http://host:port` and the path exactly as written: `new URL()` would resolve the `/./` and `//`
 * the suite sends on purpose.
 */
function splitUrl(url: string): { host: string; port: number; path: string } {
  const match = /^http:\/\/([^/:]+):(\d+)(.*)$/.exec(url);
  if (match === null) throw new Error('not an http://host:port URL: ' + url);
  return { host: match[1], port: Number(match[2]), path: match[3] === '' ? '/' : match[3] };
}

/** A request on a connection of its own, as the Python helpers make them. A POST always says its length. */
function startRequest(method: string, url: string, options: RequestOptions = {}): http.ClientRequest {
  const { host, port, path } = splitUrl(url);
  const headers: Record<string, string> = { ...options.headers };
  const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
  if (body !== undefined || method === 'POST') headers['Content-Length'] = String(body?.length ?? 0);
  const req = http.request({ host, port, path, method, headers, agent: false });
  req.end(body);
  return req;
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The whole response (the suite's `GET`, `POST`, `OPTIONS`). */
export function request(method: string, url: string, options?: RequestOptions): Promise<HttpResult> {
  const req = startRequest(method, url, options);
  const result = new Promise<HttpResult>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('upgrade', (res: http.IncomingMessage, socket: NetSocket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
  });
  return withTimeout(result, `${method} ${url}`).finally(() => req.destroy());
}

export const GET = (url: string, options?: RequestOptions): Promise<HttpResult> => request('GET', url, options);
export const POST = (url: string, options?: RequestOptions): Promise<HttpResult> => request('POST', url, options);
export const OPTIONS = (url: string, options?: RequestOptions): Promise<HttpResult> => request('OPTIONS', url, options);

/** A header as one string (several values joined as the Python helpers join them), or undefined. */
export function header(r: { headers: http.IncomingHttpHeaders }, name: string): string | undefined {
  const value = r.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The answer to a WebSocket upgrade request, read up to its headers (the suite's `GET_async` with
 * upgrade headers, where only the head is checked): a 101's socket is destroyed at once.
 */
export function upgradeRequest(url: string, headers: Record<string, string>): Promise<HttpResult> {
  return request('GET', url, { headers });
}

// Streaming responses
// -------------------

/**
 * A response read as it arrives. The Python helpers read one HTTP chunk per `read()`; how Node
 * coalesces writes into chunks and TCP segments is not the protocol, so these tests read the body
 * as a byte stream and check each expected piece in order: `next(terminator)` returns the text up
 * to and including the next `terminator`.
 */
export class StreamingResponse implements Closable {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  #received = '';
  #position = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(
    private readonly req: http.ClientRequest,
    res: http.IncomingMessage,
  ) {
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      this.#received += text;
      this.#wake?.();
    });
    const end = (): void => {
      this.#ended = true;
      this.#wake?.();
    };
    res.once('end', end);
    res.once('close', end);
    res.once('error', end);
  }

  static open(method: string, url: string, options?: RequestOptions): Promise<StreamingResponse> {
    const req = startRequest(method, url, options);
    const opened = new Promise<StreamingResponse>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res: http.IncomingMessage) => resolve(new StreamingResponse(req, res)));
    });
    return withTimeout(opened, `the head of ${method} ${url}`).catch((error: unknown) => {
      req.destroy();
      throw error;
    });
  }

  /** Received and not yet read. */
  get unread(): string {
    return this.#received.slice(this.#position);
  }

  get ended(): boolean {
    return this.#ended;
  }

  async #until(condition: () => boolean, what: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; unread: ${JSON.stringify(this.unread.slice(0, 300))}, ended: ${this.#ended}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The text up to and including the next `terminator`. */
  async next(terminator: string, ms = WAIT_MS): Promise<string> {
    await this.#until(() => this.#received.includes(terminator, this.#position) || this.#ended, JSON.stringify(terminator), ms);
    const at = this.#received.indexOf(terminator, this.#position);
    if (at === -1) throw new Error(`the response ended before ${JSON.stringify(terminator)}; unread: ${JSON.stringify(this.unread.slice(0, 300))}`);
    const piece = this.#received.slice(this.#position, at + terminator.length);
    this.#position = at + terminator.length;
    return piece;
  }

  /** The text before the next `marker` (left unread). */
  async before(marker: string, ms = WAIT_MS): Promise<string> {
    await this.#until(() => this.#received.includes(marker, this.#position) || this.#ended, JSON.stringify(marker), ms);
    const at = this.#received.indexOf(marker, this.#position);
    if (at === -1) throw new Error(`the response ended before ${JSON.stringify(marker)}; unread: ${JSON.stringify(this.unread.slice(0, 300))}`);
    const piece = this.#received.slice(this.#position, at);
    this.#position = at;
    return piece;
  }

  /**
   * Waits for the server to end the response and returns what came after the last read: the
   * suite's `assertFalse(r.read())` is `expect(await r.rest()).toBe('')`.
   */
  async rest(ms = WAIT_MS): Promise<string> {
    await this.#until(() => this.#ended, 'the end of the response', ms);
    const piece = this.unread;
    this.#position = this.#received.length;
    return piece;
  }

  /** The client drops the connection (the suite's `r.close()`). */
  async close(): Promise<void> {
    this.req.destroy();
    if (this.req.socket && !this.req.socket.destroyed) await new Promise((resolve) => this.req.socket?.once('close', resolve));
  }
}

/** A request that is written out and then left alone until the test drops it. */
export class UnreadRequest implements Closable {
  private constructor(private readonly req: http.ClientRequest) {}

  static async send(method: string, url: string): Promise<UnreadRequest> {
    const req = startRequest(method, url);
    req.on('error', () => {});
    await withTimeout(new Promise((resolve) => req.once('finish', resolve)), `${method} ${url} to be written`);
    return new UnreadRequest(req);
  }

  /** Drops the connection and waits until it is closed on this side. */
  async close(): Promise<void> {
    const socket = this.req.socket;
    this.req.destroy();
    if (socket && !socket.closed) await new Promise((resolve) => socket.once('close', resolve));
  }
}

// Raw HTTP/1.x (the suite's RawHttpConnection)
// -------------------------------------------

export interface RawHead {
  http: string;
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
}

/** One TCP connection on which a test writes requests by hand and reads the answer byte by byte. */
export class RawHttpConnection implements Closable {
  readonly #conn: RawConnection;
  readonly #host: string;
  #position = 0;

  constructor(url: string) {
    const { host, port } = splitUrl(url);
    this.#host = `${host}:${port}`;
    this.#conn = new RawConnection(port);
  }

  /** Writes a request and reads the status line and headers of its answer. */
  async request(method: string, url: string, options: { http: '1.0' | '1.1'; headers?: Record<string, string>; body?: string }): Promise<RawHead> {
    const { path } = splitUrl(url);
    const body = method === 'POST' ? (options.body ?? '') : options.body;
    const lines = [`${method} ${path} HTTP/${options.http}`, `Host: ${this.#host}`];
    for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    await this.#conn.write(lines.join('\r\n') + '\r\n\r\n' + (body ?? ''));
    const end = await this.#indexOf('\r\n\r\n', 'the head of the answer');
    const [statusLine, ...headerLines] = this.#conn.received.subarray(this.#position, end).toString('latin1').split('\r\n');
    this.#position = end + 4;
    const status = /^HTTP\/(\S+) (\d+)/.exec(statusLine);
    if (status === null) throw new Error('not a status line: ' + statusLine);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    return { http: status[1], status: Number(status[2]), headers };
  }

  async #indexOf(text: string, what: string): Promise<number> {
    const found = (): number => this.#conn.received.indexOf(text, this.#position, 'latin1');
    if (!(await this.#conn.until(() => found() !== -1 || this.#conn.closed, WAIT_MS)) || found() === -1) {
      throw new Error(`no ${what}; unread: ${JSON.stringify(this.#conn.received.subarray(this.#position).toString('latin1').slice(0, 300))}, closed: ${this.#conn.closed}`);
    }
    return found();
  }

  /** Exactly `size` bytes. */
  async read(size: number): Promise<string> {
    const enough = (): boolean => this.#conn.received.length - this.#position >= size;
    if (!(await this.#conn.until(() => enough() || this.#conn.closed, WAIT_MS)) || !enough()) {
      throw new Error(`wanted ${size} bytes; got ${JSON.stringify(this.#conn.received.subarray(this.#position).toString('latin1').slice(0, 300))}, closed: ${this.#conn.closed}`);
    }
    const piece = this.#conn.received.subarray(this.#position, this.#position + size).toString('utf8');
    this.#position += size;
    return piece;
  }

  /** One chunk of a chunked body, without its framing; '' for the last chunk. */
  async readChunk(): Promise<string> {
    const lineEnd = await this.#indexOf('\r\n', 'a chunk size line');
    const sizeLine = this.#conn.received.subarray(this.#position, lineEnd).toString('latin1');
    const size = parseInt(sizeLine, 16);
    if (Number.isNaN(size)) throw new Error('not a chunk size: ' + JSON.stringify(sizeLine));
    this.#position = lineEnd + 2;
    const chunk = await this.read(size + 2);
    if (!chunk.endsWith('\r\n')) throw new Error('a chunk not followed by CRLF: ' + JSON.stringify(chunk));
    return chunk.slice(0, -2);
  }

  /** Whether the server closes the connection within `ms`, with nothing more sent (the suite's `c.closed()`). */
  async closed(ms = 1000): Promise<boolean> {
    await this.#conn.until(() => this.#conn.closed || this.#conn.received.length > this.#position, ms);
    if (this.#conn.received.length > this.#position) {
      throw new Error('more data instead of a close: ' + JSON.stringify(this.#conn.received.subarray(this.#position).toString('latin1').slice(0, 300)));
    }
    return this.#conn.closed;
  }

  async close(): Promise<void> {
    this.#conn.destroy();
  }
}

// WebSockets (the suite's WebSocket8Client)
// -----------------------------------------

/** What `recv()` rejects with once the connection is closed, as the suite's `ConnectionClosedException`. */
export class WebSocketClosed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`the WebSocket closed (${code} ${JSON.stringify(reason)})`);
  }
}

export class TestWebSocket implements Closable {
  readonly #messages: string[] = [];
  #closed: WebSocketClosed | undefined;
  #wake: (() => void) | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.#messages.push(isBinary ? `(binary ${data.length} bytes)` : data.toString('utf8'));
      this.#wake?.();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.#closed = new WebSocketClosed(code, reason.toString('utf8'));
      this.#wake?.();
    });
    ws.on('error', () => {});
  }

  /** Opens `url` (http:// is turned into ws://) and resolves once the upgrade is answered. */
  static open(url: string): Promise<TestWebSocket> {
    const ws = new WebSocket(url.replace(/^http:/, 'ws:'));
    const client = new TestWebSocket(ws);
    const opened = new Promise<TestWebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req: http.ClientRequest, res: http.IncomingMessage) => reject(new Error(`the upgrade was answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return withTimeout(opened, `a WebSocket to ${url}`).catch((error: unknown) => {
      ws.terminate();
      throw error;
    });
  }

  /** The next text message; rejects with WebSocketClosed when the connection closed first. */
  async recv(ms = WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.#messages.length === 0 && this.#closed === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no WebSocket message within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const message = this.#messages.shift();
    if (message !== undefined) return message;
    throw this.#closed;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.terminate();
    await closed;
  }
}
