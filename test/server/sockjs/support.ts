// Helpers for the SockJS 0.3.3 protocol conformance tests: the four test endpoints the Python suite
// expects, and its shared checks. The connections they use are in connections.ts.
import http from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { afterEach, expect } from 'vitest';
import { Server } from '../../../server/index.js';
import { closeAfterEach, type Closable } from '../../support/harness.js';
import { header, OPTIONS, RawHttpConnection, StreamingResponse, TestWebSocket, UnreadRequest, type HttpResult, type RequestOptions } from './connections.js';

export * from './connections.js';

/** The services the Python suite runs against (`base_url`, `close_base_url`, `wsoff_base_url`, `cookie_base_url`). */
export type EndpointName = 'echo' | 'close' | 'disabled_websocket_echo' | 'cookie_needed_echo';

/**
 * The suite says its test server must close a streaming response after 4096 bytes (the default is
 * 128 KiB); XhrStreaming, EventSource and HtmlFile `test_response_limit` count on it.
 */
export const RESPONSE_LIMIT = 4096;
/**
 * No 0.3.3 case waits for a heartbeat or a session timeout (Protocol.test_simpleSession only
 * describes them, then `pass`es), so the endpoints keep the protocol's usual 25 s and 5 s: neither
 * elapses during a test.
 */
export const HEARTBEAT_DELAY = 25_000;
export const DISCONNECT_DELAY = 5_000;
export const SOCKJS_URL = 'http://localhost/sockjs.js';


interface RunningEndpoint extends Closable {
  baseUrl: string;
}

/** One `http.Server` and one Ferry `Server` per endpoint, each on its own port of 127.0.0.1. */
async function startEndpoint(name: EndpointName): Promise<RunningEndpoint> {
  const httpServer = http.createServer();
  const ferry = new Server({ allowedOrigins: '*' });
  ferry.sockjs({
    prefix: '/' + name,
    heartbeatDelay: HEARTBEAT_DELAY,
    disconnectDelay: DISCONNECT_DELAY,
    responseLimit: RESPONSE_LIMIT,
    websocket: name !== 'disabled_websocket_echo',
    jsessionid: name === 'cookie_needed_echo',
    sockjsUrl: SOCKJS_URL,
  });
  ferry.attach(httpServer);
  ferry.on('connection', (socket) => {
    // `close`: "server immediately closes the session"; the others echo.
    if (name === 'close') socket.close();
    else socket.on('message', (data) => socket.send(data));
  });
  const connections = new Set<NetSocket>();
  httpServer.on('connection', (socket: NetSocket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await ferry.close();
    httpServer.closeAllConnections();
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return { baseUrl: `http://127.0.0.1:${port}/${name}`, close: () => (closing ??= close()) };
}

/** What a test file uses: endpoints started on first use in a test, and everything closed after it. */
export interface SockjsFixture {
  /** The base URL of `name` (started for this test if it is not yet), e.g. `http://127.0.0.1:PORT/echo`. */
  baseUrl(name?: EndpointName): Promise<string>;
  /** A request whose response is read as it arrives (the suite's `GET_async`/`POST_async`). */
  openStream(method: string, url: string, options?: RequestOptions): Promise<StreamingResponse>;
  /** A request sent and never read (the suite's `old_POST_async(..., load=False)`). */
  sendUnread(method: string, url: string): Promise<UnreadRequest>;
  openWebSocket(url: string): Promise<TestWebSocket>;
  rawConnection(url: string): RawHttpConnection;
}

/** Call once at the top of a test file. */
export function sockjsFixture(): SockjsFixture {
  const track = closeAfterEach();
  let started = new Map<EndpointName, Promise<RunningEndpoint>>();
  afterEach(() => {
    started = new Map();
  });
  return {
    async baseUrl(name = 'echo') {
      let endpoint = started.get(name);
      if (endpoint === undefined) {
        endpoint = startEndpoint(name).then(track);
        started.set(name, endpoint);
      }
      return (await endpoint).baseUrl;
    },
    async openStream(method, url, options) {
      return track(await StreamingResponse.open(method, url, options));
    },
    async sendUnread(method, url) {
      return track(await UnreadRequest.send(method, url));
    },
    async openWebSocket(url) {
      return track(await TestWebSocket.open(url));
    },
    rawConnection(url) {
      return track(new RawHttpConnection(url));
    },
  };
}

/** A fresh session id, as the suite's `str(uuid.uuid4())`. */
export function sessionId(): string {
  return crypto.randomUUID();
}

// Shared checks (the suite's `Test` base class)
// ---------------------------------------------

/** `verify_content_type`: compared with the spaces removed. */
export function contentType(r: { headers: http.IncomingHttpHeaders }): string | undefined {
  return header(r, 'content-type')?.replace(/ /g, '');
}

/** `verify404`: no body or content type is defined for it. */
export function expect404(r: HttpResult): void {
  expect(r.status).toBe(404);
}

/** `verify405`: no content type, an Allow header, no body. */
export function expect405(r: HttpResult): void {
  expect(r.status).toBe(405);
  expect(header(r, 'content-type') ?? '').toBe('');
  expect(header(r, 'allow')).toBeTruthy();
  expect(r.body).toBe('');
}

/** `verify_no_cookie` */
export function expectNoCookie(r: { headers: http.IncomingHttpHeaders }): void {
  expect(header(r, 'set-cookie') ?? '').toBe('');
}

/**
 * `verify_cors`. For an Origin other than "null" both revisions of the suite want it echoed with
 * credentials allowed. Without an Origin, 0.3.3 wants "*" with credentials allowed and its next
 * revision "*" without the credentials header (browsers refuse "*" with credentials); for "null",
 * 0.3.3 wants "*" and the next revision "null" echoed, both with credentials. Either revision's
 * answer passes (see protocol.test.ts).
 */
export function expectCors(r: { headers: http.IncomingHttpHeaders }, origin?: string): void {
  const answer = { allowOrigin: header(r, 'access-control-allow-origin'), credentials: header(r, 'access-control-allow-credentials') };
  if (origin !== undefined && origin !== 'null') {
    expect(answer).toEqual({ allowOrigin: origin, credentials: 'true' });
    return;
  }
  const as033 = { allowOrigin: '*', credentials: 'true' };
  const asNextRevision = origin === undefined ? { allowOrigin: '*', credentials: undefined } : { allowOrigin: 'null', credentials: 'true' };
  const accepted = [as033, asNextRevision];
  const matches = accepted.some(({ allowOrigin, credentials }) => answer.allowOrigin === allowOrigin && answer.credentials === credentials);
  expect(matches, `CORS headers for Origin ${origin}: got ${JSON.stringify(answer)}, want one of ${JSON.stringify(accepted)}`).toBe(true);
}

/**
 * `verify_not_cached`. The Cache-Control value is exact; 0.3.3 has it without `no-transform`, the
 * suite's next revision with it; either passes.
 */
export function expectNotCached(r: { headers: http.IncomingHttpHeaders }): void {
  expect(['no-store, no-cache, must-revalidate, max-age=0', 'no-store, no-cache, no-transform, must-revalidate, max-age=0']).toContain(header(r, 'cache-control'));
  expect(header(r, 'expires') ?? '').toBe('');
  expect(header(r, 'last-modified') ?? '').toBe('');
}

/**
 * A JSONP answer without the empty comment (slash, star, star, slash) that the suite's next
 * revision puts before the callback against the "Rosetta Flash" JSONP attack; 0.3.3 has no
 * prefix. Either passes.
 */
export function withoutJsonpGuard(body: string): string {
  return body.startsWith('/**/') ? body.slice('/**/'.length) : body;
}

/** "max-age must be large, one year (31536000) is best" */
export function expectLongCache(r: { headers: http.IncomingHttpHeaders }): void {
  const cacheControl = header(r, 'cache-control') ?? '';
  expect(cacheControl).toMatch(/public/);
  expect(cacheControl).toMatch(/max-age=[1-9][0-9]{6}/);
  expect(header(r, 'expires')).toBeTruthy();
}

/** `verify_options`: for no Origin, "test" and "null", a cacheable 204 with the CORS headers. */
export async function expectOptions(url: string, allowedMethods: string): Promise<void> {
  for (const origin of [undefined, 'test', 'null']) {
    const r = await OPTIONS(url, { headers: origin === undefined ? {} : { Origin: origin } });
    expect(r.status, `OPTIONS with Origin ${origin}`).toBe(204);
    expectLongCache(r);
    expect(Number(header(r, 'access-control-max-age'))).toBeGreaterThan(1_000_000);
    expect(header(r, 'access-control-allow-methods')).toBe(allowedMethods);
    expect(r.body).toBe('');
    expectCors(r, origin);
  }
}
